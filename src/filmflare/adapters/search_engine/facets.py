"""Facet counts over a whole result, as aggregations of the search itself.

Genres are counted by spelling and grouped case-insensitively here, under the most common
spelling; decades are a histogram of years; ratings are ranges ``"0-1"`` … ``"9-10"``, each
holding lower ≤ rating < upper, with 10 in the top one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.domain.search import FacetBucket, GenreCount

_SPELLINGS = 10_000  # more genre spellings than any catalog has
_BANDS: list[Json] = [{"key": f"{n}-{n + 1}", "from": n, "to": n + 1} for n in range(9)]
_BANDS.append({"key": "9-10", "from": 9})
_BAND_ORDER = {band["key"]: n for n, band in enumerate(_BANDS)}

AGGREGATIONS: dict[str, Json] = {
    "genres": {"terms": {"field": f.GENRES, "size": _SPELLINGS}},
    "decade": {"histogram": {"field": f.YEAR, "interval": 10, "min_doc_count": 1}},
    "rating": {"range": {"field": f.RATING, "ranges": _BANDS}},
}


def group_genres(spellings: Iterable[tuple[str, int]]) -> list[GenreCount]:
    """One entry per genre ignoring case, named by its most common spelling (then the first
    in code point order); most movies first, then by name."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for spelling, count in spellings:
        groups[spelling.casefold()].append((-count, spelling))
    named = [GenreCount(min(group)[1], -sum(c for c, _ in group)) for group in groups.values()]
    return sorted(named, key=lambda genre: (-genre.count, genre.name))


def _buckets(answer: Json, name: str) -> list[dict[str, Any]]:
    buckets: list[dict[str, Any]] = answer[name]["buckets"]
    return [bucket for bucket in buckets if bucket["doc_count"] > 0]


def genre_counts(answer: Json) -> list[GenreCount]:
    return group_genres((b["key"], b["doc_count"]) for b in _buckets(answer, "genres"))


def read_facets(names: Sequence[str], answer: Json) -> dict[str, tuple[FacetBucket, ...]]:
    """The buckets of each facet in ``names`` that hold at least one hit."""
    facets: dict[str, tuple[FacetBucket, ...]] = {}
    if "genres" in names:
        facets["genres"] = tuple(FacetBucket(g.name, g.count) for g in genre_counts(answer))
    if "decade" in names:
        decades = [FacetBucket(int(b["key"]), b["doc_count"]) for b in _buckets(answer, "decade")]
        facets["decade"] = tuple(sorted(decades, key=lambda bucket: bucket.value))
    if "rating" in names:
        bands = [FacetBucket(b["key"], b["doc_count"]) for b in _buckets(answer, "rating")]
        facets["rating"] = tuple(sorted(bands, key=lambda bucket: _BAND_ORDER[str(bucket.value)]))
    return facets
