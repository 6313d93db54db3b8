"""Search the catalog (GET /movies), cache-aside.

Rules: a cursor continues the query that produced it (another query's cursor is a 400) and
replaces ``page``; results come from the index alone; highlights are computed here from the
movie's fields so that every engine marks the same words; a cached answer is keyed by the
search generation, which the indexer bumps whenever the index changes. Searches that differ
only in spelling (text case and spacing, genre case and order) share one cache entry and
accept each other's cursors. An answer comes with the digest of its bytes (``digests``).
"""

from __future__ import annotations

import dataclasses

from filmflare.application.cache_keys import SEARCH_GENERATION, search_key
from filmflare.application.digests import Digested, search_answer
from filmflare.application.presenters import search_body
from filmflare.application.response_cache import Lookup, ResponseCache
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.cursor import Cursor
from filmflare.domain.search import Hit, Position, SearchPage
from filmflare.domain.text import highlight_movie
from filmflare.ports.search_index import MovieSearchIndex

_KIND = "search"


class SearchMovies:
    def __init__(self, index: MovieSearchIndex, cache: ResponseCache) -> None:
        self._index = index
        self._cache = cache

    async def execute(self, criteria: SearchCriteria, seen: Lookup | None = None) -> Digested:
        """The answer; ``seen`` is what ``cached`` has just found for it, if asked already."""
        fingerprint, page, position = _start(criteria)
        return await search_answer(
            self._cache,
            search_key(_KIND, _identity(criteria, fingerprint, page)),
            lambda: self._answer(criteria, fingerprint, page, position),
            seen,
        )

    def answer_key(self, criteria: SearchCriteria) -> str:
        """Where ``execute`` caches its answer (a cursor that does not belong is a 400 here too)."""
        fingerprint, page, _position = _start(criteria)
        return search_key(_KIND, _identity(criteria, fingerprint, page))

    async def cached(self, key: str) -> Lookup:
        """What ``execute`` cached at the current index state."""
        return await self._cache.read(key, SEARCH_GENERATION)

    async def _answer(
        self, criteria: SearchCriteria, fingerprint: str, page: int, position: Position | None
    ) -> bytes:
        found = await self._index.search(criteria, position)
        if criteria.highlight:
            found = _highlighted(found, criteria)
        next_cursor = None
        if found.next_position is not None:
            next_cursor = Cursor(fingerprint, page + 1, found.next_position).encode()
        return search_body(criteria, page, found, next_cursor)


def _start(criteria: SearchCriteria) -> tuple[str, int, Position | None]:
    """The query's fingerprint, and the page and engine position the answer starts at."""
    fingerprint = canonical(criteria).fingerprint()
    if criteria.cursor is None:
        return fingerprint, criteria.page, None
    cursor = Cursor.decode(criteria.cursor, fingerprint)
    return fingerprint, cursor.page, cursor.position


def _identity(criteria: SearchCriteria, fingerprint: str, page: int) -> str:
    """Everything the answer depends on besides the index state."""
    facets = ",".join(sorted(criteria.facets))
    return (
        f"{fingerprint}|{page}|{criteria.per_page}|{criteria.cursor}|{facets}|{criteria.highlight}"
    )


def _highlighted(found: SearchPage, criteria: SearchCriteria) -> SearchPage:
    hits = tuple(Hit(h.movie, highlight_movie(h.movie, criteria)) for h in found.hits)
    return SearchPage(found.total, hits, found.next_position, found.facets)


def canonical(criteria: SearchCriteria) -> SearchCriteria:
    """The same search spelled one way. Every engine matches text and genres regardless of
    case, ignores how words are spaced, and treats ``genre`` as a set."""

    def text(value: str | None) -> str | None:
        return " ".join(value.lower().split()) if value else value

    return dataclasses.replace(
        criteria,
        q=text(criteria.q),
        title=text(criteria.title),
        director=text(criteria.director),
        cast=text(criteria.cast),
        genres=tuple(sorted({genre.casefold() for genre in criteria.genres})),
    )
