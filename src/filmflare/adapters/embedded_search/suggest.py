"""Title completion: titles whose words start with what was typed, best match first.

Matches come in levels, each inside the next: the whole title typed, the title starting
with what was typed, every word typed exactly (the last as a prefix), then with typos.
Within a level the most voted movies come first, ties by id.
"""

from __future__ import annotations

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search.documents import read_movie
from filmflare.adapters.embedded_search.paging import by_rank, exact
from filmflare.adapters.embedded_search.text_queries import word_query
from filmflare.domain.search import Suggestion
from filmflare.domain.text import words

Occur = tantivy.Occur
Query = tantivy.Query


def _all(queries: list[Query]) -> Query:
    return Query.boolean_query([(Occur.Must, q) for q in queries])


def _levels(schema: tantivy.Schema, typed: list[str]) -> list[Query]:
    whole = " ".join(typed)
    last = len(typed) - 1
    tolerant = _all([word_query(schema, f.TITLE, w, i == last) for i, w in enumerate(typed)])
    exact_words = [Query.term_query(schema, f.TITLE, w) for w in typed[:-1]]
    exact_words.append(Query.fuzzy_term_query(schema, f.TITLE, typed[-1], distance=0, prefix=True))
    starts = Query.fuzzy_term_query(schema, f.TITLE_EXACT, whole, distance=0, prefix=True)
    same = Query.term_query(schema, f.TITLE_EXACT, whole)
    return [_all([same, tolerant]), _all([starts, tolerant]), _all(exact_words), tolerant]


def suggest(
    searcher: tantivy.Searcher, schema: tantivy.Schema, text: str, limit: int
) -> list[Suggestion]:
    typed = words(text)
    if not typed or limit < 1:
        return []
    chosen: dict[str, Suggestion] = {}
    by_votes = by_rank(searcher, "votes", descending=True)
    for level in _levels(schema, typed):
        hits, total = by_votes.counted(level, limit + 1)
        end = min(limit, total)
        for _rank, _tie, address in (
            exact(by_votes, level, 0, end, (hits, limit + 1), total) if end else []
        ):
            movie = read_movie(searcher.doc(address))
            chosen.setdefault(movie.id, Suggestion(movie.id, movie.title, movie.year))
            if len(chosen) == limit:
                return list(chosen.values())
    return list(chosen.values())
