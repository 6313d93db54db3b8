"""Complete a title as the user types (GET /movies/suggest), cache-aside.

Rules: every typed word must start a title word (the last as a prefix, typo tolerant like
``q``); best match first, then most votes; blank input suggests nothing.
"""

from __future__ import annotations

from filmflare.application.presenters import suggestions_body
from filmflare.application.response_cache import ResponseCache
from filmflare.ports.search_index import MovieSearchIndex


class SuggestTitles:
    def __init__(self, index: MovieSearchIndex, cache: ResponseCache) -> None:
        self._index = index
        self._cache = cache

    async def execute(self, text: str, limit: int) -> bytes:
        text = " ".join(text.split())

        async def answer() -> bytes:
            found = list(await self._index.suggest(text, limit)) if text else []
            return suggestions_body(found)

        return await self._cache.search_answer("suggest", f"{limit}|{text.casefold()}", answer)
