"""A cache of serialized responses, shared by every replica that uses the same backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Cache(Protocol):
    """Bytes by key, with a time to live.

    - ``get_many`` returns None for each key that is missing or expired.
    - ``set`` stores ``value``; with ``guard`` = (key, expected), only while that key still
      holds ``expected`` (None meaning absent), checked atomically with the write. This is how
      a reader avoids storing what a concurrent writer has just made stale.
    - ``incr`` adds 1 to an integer key (missing = 0) and returns the new value.
    - ``get_at_generation(counter, head, tail)`` returns (G, the value at ``head + G + tail``),
      G being what ``get_many`` reads at ``counter`` (in the key, ``0`` when absent or empty),
      both read at once: what two ``get_many`` calls would give, in one round trip on a remote
      cache.
    - A cache that fails must not fail the request: adapters raise ``BackendUnavailable``
      and callers fall back to the backends.
    """

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def get_at_generation(
        self, counter: str, head: str, tail: str
    ) -> tuple[bytes | None, bytes | None]: ...

    async def set(
        self, key: str, value: bytes, ttl: float, guard: tuple[str, bytes | None] | None = None
    ) -> None: ...

    async def delete(self, keys: Sequence[str]) -> None: ...

    async def incr(self, key: str) -> int: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
