"""``FILMFLARE_CACHE=none``: a cache that keeps no responses."""

from __future__ import annotations


class NoCache:
    """Stores nothing: every read misses, so every request goes to the backends. Its
    generations never move (nothing is stored under them to retire), so a reader's guard
    tells nothing: ``ResponseCache`` does not coalesce requests over it."""

    async def start(self) -> None:
        """Nothing to open."""

    async def read(self, key: str, generation: str) -> tuple[bytes | None, bytes | None]:
        return None, None

    async def write(
        self, key: str, value: bytes, ttl: float, generation: str, seen: bytes | None
    ) -> None:
        """Keeps nothing."""

    async def bump(self, generation: str) -> None:
        """Nothing is stored to retire."""

    async def ping(self) -> None:
        """Always answers."""

    async def close(self) -> None:
        """Nothing to close."""
