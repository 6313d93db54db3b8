"""A cache of serialized responses, shared by every process (and replica) that uses it."""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    """Bytes by key, each entry stored under a **generation**: a counter the cache keeps.

    - ``read(key, generation)`` returns ``(G, value)``: G is what the counter holds now (None
      until it is first bumped), ``value`` the bytes stored at ``key`` under G; None when the
      key is missing or expired, or was stored under another value of the counter. Both are
      read at once (one round trip on a remote cache).
    - ``write(key, value, ttl, generation, seen)`` stores ``value`` at ``key`` under ``seen``
      (the G a ``read`` returned), only while the counter still holds ``seen``: checked
      atomically with the write, so a reader whose read predates a bump stores nothing.
    - ``bump(generation)`` moves the counter to a value it never held: every entry stored
      under it so far reads as absent, for every process sharing the cache, at once.
    - A key or generation may carry a tag in braces (``movie:{m17}:…``); the key and the
      generation of one call share their tag, so a cache spread over several servers (Redis
      Cluster) keeps them on one.
    - A cache that fails must not fail the request: adapters raise ``BackendUnavailable``
      and callers fall back to the backends.
    """

    async def read(self, key: str, generation: str) -> tuple[bytes | None, bytes | None]: ...

    async def write(
        self, key: str, value: bytes, ttl: float, generation: str, seen: bytes | None
    ) -> None: ...

    async def bump(self, generation: str) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
