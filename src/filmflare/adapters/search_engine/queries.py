"""Full-text clauses: every query word must match some field, with typos and a last prefix.

Typo tolerance is the contract's, not the engine's ``AUTO`` (whose thresholds are 3 and 6
characters): each word gets its own ``fuzziness`` from ``domain.text.max_edits``, with
transpositions counting one edit. The last word also matches the start of a longer word,
through the field's edge n-grams (a fuzzy match there is a prefix within the word's edits).

Per word and field, an exact term scores by BM25 and a typo or prefix match adds a constant
(the ``constant_score`` rewrite, which also lifts the engine's cap on expanded terms), both
scaled by the field's weight, so exact words outrank typos and the title outranks the other
fields. A whole-title match adds far more than any word can, so an exact title comes first.
"""

from __future__ import annotations

from collections.abc import Sequence

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.domain.text import max_edits, words

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


def constant(query: Json, boost: float) -> Json:
    return {"constant_score": {"filter": query, "boost": boost}}


def term(field: str, value: str) -> Json:
    return {"term": {field: {"value": value}}}


def loose_word(field: str, word: str, edits: int, boost: float) -> Json:
    """``word`` within ``edits`` of a term of ``field``, at a constant score of ``boost``."""
    if edits == 0:
        return constant(term(field, word), boost)
    fuzzy = {
        "value": word,
        "fuzziness": edits,
        "transpositions": True,
        "prefix_length": 0,
        "rewrite": "constant_score",
        "boost": boost,
    }
    return {"fuzzy": {field: fuzzy}}


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
    return {"bool": {"must": must, "should": should}}
