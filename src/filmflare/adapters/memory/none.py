"""``FILMFLARE_CACHE=none``: a cache that keeps no responses."""

from __future__ import annotations

from collections.abc import Sequence


class NoCache:
    """Stores nothing: every read misses, so every request goes to the backends.

    ``incr`` still counts (in this process), as the ``Cache`` contract asks, but counters
    are not readable through ``get_many``: nothing here is, and nothing needs them to be
    since no response is ever cached under a generation.
    """

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    async def start(self) -> None:
        """Nothing to open."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [None] * len(keys)

    async def get_at_generation(
        self, counter: str, head: str, tail: str
    ) -> tuple[bytes | None, bytes | None]:
        return None, None

    async def set(
        self, key: str, value: bytes, ttl: float, guard: tuple[str, bytes | None] | None = None
    ) -> None:
        """Keeps nothing."""

    async def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._counters.pop(key, None)

    async def incr(self, key: str) -> int:
        value = self._counters.get(key, 0) + 1
        self._counters[key] = value
        return value

    async def ping(self) -> None:
        """Always answers."""

    async def close(self) -> None:
        self._counters.clear()
