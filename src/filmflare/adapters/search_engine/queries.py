"""Full-text clauses: every query word must match some field, with typos and a last prefix.

Typo tolerance is the contract's, not the engine's ``AUTO`` (whose thresholds are 3 and 6
characters): each word gets its own ``fuzziness`` from ``domain.text.max_edits``, with
transpositions counting one edit and an edit to the first character counting two. The last
word also matches the start of a longer word, through the field's edge n-grams (a fuzzy
match there is a prefix within the word's edits).

What a typo costs the engine: a fuzzy query walks the terms its Levenshtein automaton
accepts. Counting a first-letter edit as two lets every automaton keep the first letter
(``prefix_length`` 1), so it walks only the terms that begin with it; a word allowed two
edits adds a one-edit automaton for a wrong first letter, never a two-edit one over the
whole dictionary. The expanded terms are collected once per query across segments (a
``top_terms`` rewrite; the ``constant_score`` rewrite rebuilds the automaton for every
segment, which cost tens of milliseconds per word of 9 letters or more), at most 1,024 per
clause, the closest first: more than that many distinct words within two edits of a query
word do not occur in a catalog's titles and text.

Per word and field, an exact term scores by BM25 and a typo or prefix match adds a constant,
both scaled by the field's weight, so exact words outrank typos and the title outranks the
other fields. A whole-title match adds far more than any word can, so an exact title comes
first; a title one typo away from the whole query (``title_edits``) adds less than
an exact one but more than the words, so "the godfahter" finds The Godfather before the
longer titles that hold its words.
"""

from __future__ import annotations

from collections.abc import Sequence

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.domain.text import max_edits, title_edits, words

Weights = Sequence[tuple[str, float]]

EVERYWHERE: Weights = (
    (f.TITLE, 5.0),
    (f.ORIGINAL_TITLE, 3.0),
    (f.DIRECTORS, 2.0),
    (f.CAST, 1.5),
    (f.OVERVIEW, 1.0),
)
TITLES: Weights = EVERYWHERE[:2]
EXACT_TITLES: Weights = ((f.TITLE_EXACT, 1000.0), (f.ORIGINAL_EXACT, 500.0))
NOTHING: Json = {"match_none": {}}
_LOOSE_SHARE = 0.5  # of the field's weight, for a word matched with edits or as a prefix
_TIE_BREAKER = 0.3  # how much the fields other than the best one add
_NEAR_SHARE = 0.3  # of an exact title's boost, for a title within the query's edits
_EXPANSION = "top_terms_boost_1024"


def constant(query: Json, boost: float) -> Json:
    return {"constant_score": {"filter": query, "boost": boost}}


def term(field: str, value: str) -> Json:
    return {"term": {field: {"value": value}}}


def _fuzzy(field: str, word: str, edits: int, prefix_length: int, boost: float) -> Json:
    fuzzy = {
        "value": word,
        "fuzziness": edits,
        "transpositions": True,
        "prefix_length": prefix_length,
        "rewrite": _EXPANSION,
    }
    return constant({"fuzzy": {field: fuzzy}}, boost)


def loose_word(field: str, word: str, edits: int, boost: float) -> Json:
    """``word`` within ``edits`` of a term of ``field``, at a constant score of ``boost``.

    An edit to the first character counts as two, so only a word allowed two edits may
    change it, and then nothing else: the engine walks only the terms that begin with the
    word's first character, plus those one edit away when two are allowed.
    """
    if edits == 0:
        return constant(term(field, word), boost)
    same_start = _fuzzy(field, word, edits, 1, boost)
    if edits == 1:
        return same_start
    other_start = _fuzzy(field, word, 1, 0, boost)
    return {"bool": {"should": [same_start, other_start]}}


def word_query(field: str, word: str, last: bool, weight: float = 1.0) -> Json:
    """``word`` in ``field`` as the contract allows: exactly, within its edits, or (when it
    is the last word) as the start of a longer word."""
    exact = {"term": {field: {"value": word, "boost": weight}}}
    edits = max_edits(word)
    if edits == 0 and not last:
        return exact
    target = f.prefixes(field) if last else field
    loose = loose_word(target, word, edits, weight * _LOOSE_SHARE)
    return {"bool": {"should": [exact, loose]}}


def text_query(text: str, fields: Weights) -> Json:
    """Every word of ``text`` in one of ``fields``; nothing matches text without words."""
    found = words(text)
    if not found:
        return NOTHING
    must = [
        {
            "dis_max": {
                "queries": [
                    word_query(name, word, n == len(found) - 1, weight) for name, weight in fields
                ],
                "tie_breaker": _TIE_BREAKER,
            }
        }
        for n, word in enumerate(found)
    ]
    whole = " ".join(found)
    should = [constant(term(name, whole), boost) for name, boost in EXACT_TITLES]
    edits = title_edits(found)
    if edits:
        should += [
            _fuzzy(name, whole, edits, 1, boost * _NEAR_SHARE) for name, boost in EXACT_TITLES
        ]
    return {"bool": {"must": must, "should": should}}
