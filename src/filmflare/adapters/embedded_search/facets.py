"""Facet counts over a whole result: genres, decades and rating bands, in one aggregation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.domain.search import FacetBucket, GenreCount

_GENRE_SPELLINGS = 65_000  # more than any catalog has; tantivy's bucket limit is 65 000
_BANDS = [{"key": f"{n}-{n + 1}", "from": float(n), "to": float(n + 1)} for n in range(9)]
_BANDS.append({"key": "9-10", "from": 9.0})  # a 10 counts in the top band
_BAND_ORDER = {str(band["key"]): n for n, band in enumerate(_BANDS)}

_AGGREGATIONS: dict[str, dict[str, Any]] = {
    "genres": {"terms": {"field": f.GENRE_NAMES, "size": _GENRE_SPELLINGS}},
    "decade": {"histogram": {"field": f.YEAR, "interval": 10, "min_doc_count": 1}},
    "rating": {"range": {"field": f.RATING, "ranges": _BANDS}},
}


def genre_groups(spellings: Iterable[tuple[str, int]]) -> list[GenreCount]:
    """Spellings that differ only in case are one genre, named by its most common spelling;
    most movies first, then by name."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for spelling, count in spellings:
        groups.setdefault(spelling.casefold(), []).append((count, spelling))
    named = [
        GenreCount(min(group, key=lambda c: (-c[0], c[1]))[1], sum(c for c, _ in group))
        for group in groups.values()
    ]
    return sorted(named, key=lambda g: (-g.count, g.name))


def _buckets(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    buckets: list[dict[str, Any]] = result[name]["buckets"]
    return [b for b in buckets if b["doc_count"] > 0]


def count_facets(
    searcher: tantivy.Searcher, query: tantivy.Query, names: Sequence[str]
) -> dict[str, tuple[FacetBucket, ...]]:
    """The buckets of each facet in ``names`` that hold at least one hit of ``query``."""
    result = searcher.aggregate(query, {name: _AGGREGATIONS[name] for name in names})
    facets: dict[str, tuple[FacetBucket, ...]] = {}
    if "genres" in names:
        pairs = ((b["key"], b["doc_count"]) for b in _buckets(result, "genres"))
        facets["genres"] = tuple(FacetBucket(g.name, g.count) for g in genre_groups(pairs))
    if "decade" in names:
        decades = [FacetBucket(int(b["key"]), b["doc_count"]) for b in _buckets(result, "decade")]
        facets["decade"] = tuple(sorted(decades, key=lambda b: b.value))
    if "rating" in names:
        bands = [
            FacetBucket(b["key"], b["doc_count"])
            for b in _buckets(result, "rating")
            if b["key"] in _BAND_ORDER
        ]
        facets["rating"] = tuple(sorted(bands, key=lambda b: _BAND_ORDER[str(b.value)]))
    return facets


def all_genres(searcher: tantivy.Searcher, schema: tantivy.Schema) -> list[GenreCount]:
    movies = tantivy.Query.term_query(schema, f.KIND, f.MOVIE)
    result = searcher.aggregate(movies, {"genres": _AGGREGATIONS["genres"]})
    return genre_groups((b["key"], b["doc_count"]) for b in _buckets(result, "genres"))
