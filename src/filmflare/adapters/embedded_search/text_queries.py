"""Full-text clauses: every query word must match some field, with typos and a last prefix.

Per word and field, an exact term scores by BM25 and a fuzzy (or prefix) term adds a
constant, both scaled by the field's weight, so exact words outrank typos and the title
outranks the other fields. A whole-title match adds far more than any word can, so an
exact title comes first; a title one typo away from the whole query
(``title_edits``) adds less than an exact one but more than the words, so "the godfahter"
finds The Godfather before the longer titles that hold its words.

tantivy's fuzzy term query takes no fixed prefix, so here an edit to a word's first letter
counts as one (the contract allows two): the embedded engine matches a little more than the
server engines, never less.
"""

from __future__ import annotations

from collections.abc import Sequence

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.domain.text import max_edits, title_edits, words

Occur = tantivy.Occur
Query = tantivy.Query

EVERYWHERE = (
    (f.TITLE, 5.0),
    (f.ORIGINAL_TITLE, 3.0),
    (f.DIRECTORS, 2.0),
    (f.CAST, 1.5),
    (f.OVERVIEW, 1.0),
)
TITLES = EVERYWHERE[:2]
EXACT_TITLES = ((f.TITLE_EXACT, 1000.0), (f.ORIGINAL_EXACT, 500.0))
_FUZZY_SHARE = 0.5  # of the field's weight, for a word matched with edits or as a prefix
_NEAR_SHARE = 0.3  # of an exact title's boost, for a title within the query's edits


def word_query(
    schema: tantivy.Schema, field: str, word: str, last: bool, weight: float = 1.0
) -> Query:
    """``word`` in ``field`` as the contract allows: exactly, within its edits, or (when it
    is the last word) as the start of a longer word."""
    exact = Query.boost_query(Query.term_query(schema, field, word), weight)
    edits = max_edits(word)
    if edits == 0 and not last:
        return exact
    loose = Query.fuzzy_term_query(
        schema, field, word, distance=edits, transposition_cost_one=True, prefix=last
    )
    loose = Query.boost_query(loose, weight * _FUZZY_SHARE)
    return Query.boolean_query([(Occur.Should, exact), (Occur.Should, loose)])


def text_query(schema: tantivy.Schema, text: str, fields: Sequence[tuple[str, float]]) -> Query:
    """Every word of ``text`` in one of ``fields``; nothing matches text without words."""
    found = words(text)
    if not found:
        return Query.empty_query()
    clauses: list[tuple[Occur, Query]] = []
    for index, word in enumerate(found):
        last = index == len(found) - 1
        per_field = [word_query(schema, name, word, last, weight) for name, weight in fields]
        clauses.append((Occur.Must, Query.disjunction_max_query(per_field, tie_breaker=0.3)))
    whole = " ".join(found)
    edits = title_edits(found)
    for name, boost in EXACT_TITLES:
        exact = Query.const_score_query(Query.term_query(schema, name, whole), boost)
        clauses.append((Occur.Should, exact))
        if edits:
            near = Query.fuzzy_term_query(
                schema, name, whole, distance=edits, transposition_cost_one=True
            )
            clauses.append((Occur.Should, Query.const_score_query(near, boost * _NEAR_SHARE)))
    return Query.boolean_query(clauses)
