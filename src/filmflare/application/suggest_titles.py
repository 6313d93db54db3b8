"""Complete a title as the user types (GET /movies/suggest), cache-aside.

Rules: every typed word must start a title word (the last as a prefix, typo tolerant like
``q``); best match first, then most votes; blank input suggests nothing. An answer comes with
the digest of its bytes (``digests``).
"""

from __future__ import annotations

from filmflare.application.cache_keys import SEARCH_GENERATION, search_key
from filmflare.application.digests import Digested, search_answer
from filmflare.application.presenters import suggestions_body
from filmflare.application.response_cache import Lookup, ResponseCache
from filmflare.ports.search_index import MovieSearchIndex

_KIND = "suggest"


class SuggestTitles:
    def __init__(self, index: MovieSearchIndex, cache: ResponseCache) -> None:
        self._index = index
        self._cache = cache

    async def execute(self, text: str, limit: int, seen: Lookup | None = None) -> Digested:
        """The answer; ``seen`` is what ``cached`` has just found for it, if asked already."""
        text = _typed(text)

        async def answer() -> bytes:
            found = list(await self._index.suggest(text, limit)) if text else []
            return suggestions_body(found)

        return await search_answer(
            self._cache, search_key(_KIND, _identity(text, limit)), answer, seen
        )

    def answer_key(self, text: str, limit: int) -> str:
        """Where ``execute`` caches its answer."""
        return search_key(_KIND, _identity(_typed(text), limit))

    async def cached(self, key: str) -> Lookup:
        """What ``execute`` cached at the current index state."""
        return await self._cache.read(key, SEARCH_GENERATION)


def _typed(text: str) -> str:
    """What was typed, spaced one way."""
    return " ".join(text.split())


def _identity(text: str, limit: int) -> str:
    return f"{limit}|{text.casefold()}"
