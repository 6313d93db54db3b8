"""Title completion: titles whose words start with what was typed, best match first.

Matches come in levels, each inside the next: the whole title typed, the title starting
with what was typed, every word typed exactly (the last as a prefix), then with typos. A
movie scores the highest level it reaches (a constant), so one query ranks them all; within
a level the most voted movies come first, ties by id.
"""

from __future__ import annotations

from collections.abc import Sequence

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.adapters.search_engine.filters import MOVIES
from filmflare.adapters.search_engine.queries import constant, term, word_query
from filmflare.adapters.search_engine.sorting import sort_clauses
from filmflare.domain.criteria import Sort
from filmflare.domain.search import Suggestion
from filmflare.domain.text import words

_SHOWN = [f"{f.MOVIE}.{name}" for name in ("id", "title", "year")]


def _levels(typed: list[str]) -> list[Json]:
    """Whole title, title start, exact words: each a constant score, best first."""
    whole = " ".join(typed)
    exact_words = [term(f.TITLE, word) for word in typed[:-1]]
    exact_words.append(term(f.prefixes(f.TITLE), typed[-1]))
    levels = [
        term(f.TITLE_EXACT, whole),
        {"prefix": {f.TITLE_EXACT: {"value": whole}}},
        {"bool": {"filter": exact_words}},
    ]
    return [constant(level, float(len(levels) - n)) for n, level in enumerate(levels)]


def suggest_body(text: str, limit: int) -> Json | None:
    """The query for ``limit`` suggestions; None when nothing can match."""
    typed = words(text)
    if not typed or limit < 1:
        return None
    last = len(typed) - 1
    tolerant = [word_query(f.TITLE, word, n == last) for n, word in enumerate(typed)]
    return {
        "query": {
            "bool": {
                "filter": [MOVIES, *tolerant],
                "should": [{"dis_max": {"queries": _levels(typed)}}],
            }
        },
        "sort": sort_clauses(Sort("relevance", False)),
        "size": limit,
        "_source": _SHOWN,
    }


def read_suggestions(answer: Json) -> Sequence[Suggestion]:
    found = []
    for hit in answer["hits"]["hits"]:
        movie = hit["_source"][f.MOVIE]
        found.append(Suggestion(movie["id"], movie["title"], movie["year"]))
    return found
