"""Is every configured backend answering? (GET /readyz)

Rules: each backend is pinged at once with a deadline; the answer names every one that failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping


class CheckReadiness:
    def __init__(self, pings: Mapping[str, Callable[[], Awaitable[None]]], timeout: float = 2.0):
        self._pings = pings
        self._timeout = timeout

    async def execute(self) -> dict[str, str]:
        """Backend name -> "ok" or the reason it failed."""

        async def probe(ping: Callable[[], Awaitable[None]]) -> str:
            try:
                async with asyncio.timeout(self._timeout):  # wait_for can eat a cancellation
                    await ping()
            except TimeoutError:
                return f"no answer within {self._timeout:g}s"
            except Exception as error:  # any failure means not ready; name it
                return str(error) or type(error).__name__
            return "ok"

        names = list(self._pings)
        results = await asyncio.gather(*(probe(self._pings[name]) for name in names))
        return dict(zip(names, results, strict=True))
