"""What a search returns: a page of movies, facet counts, suggestions, genre counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from filmflare.domain.movie import Movie

#: An engine's own place in a result list (JSON-serialisable), carried inside a cursor.
Position = list[object]


@dataclass(frozen=True, slots=True)
class FacetBucket:
    value: str | int
    count: int


@dataclass(frozen=True, slots=True)
class Hit:
    movie: Movie
    #: field name -> its whole text (or, for a list field, every item) with matches in <em>.
    highlight: dict[str, str | list[str]] | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results. ``next_position`` is None when nothing follows this page."""

    total: int
    hits: tuple[Hit, ...]
    next_position: Position | None
    facets: dict[str, tuple[FacetBucket, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    title: str
    year: int | None


@dataclass(frozen=True, slots=True)
class GenreCount:
    name: str
    count: int
