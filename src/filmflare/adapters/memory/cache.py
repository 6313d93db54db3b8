"""``Cache`` in the process's memory, bounded in bytes, coherent across the processes of a host.

Entries live in this process: at most ``max_bytes`` of keys and values (with a fixed
allowance per entry for the bookkeeping), the least recently used evicted first, each freed
when it expires (a sweep every few seconds, and on every write). Generations live in
``Generations``, a file every process on the host maps, so a write in one worker retires what
every other worker cached.

Every method runs without awaiting, so on one event loop each call, the guarded ``write``
included, is atomic; across processes, a write's guard and a bump can interleave only as
"guard checked, then bumped", which leaves an entry stamped with the old value: it reads as
absent everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from filmflare.adapters.memory.generations import Generations

# What an entry costs beyond its key and value: the entry object, its dict and heap slots.
ENTRY_OVERHEAD = 200
SWEEP_SECONDS = 5.0


@dataclass(slots=True)
class _Entry:
    value: bytes
    expires: float
    stamp: int  # the generation's value when it was written
    size: int


class MemoryCache:
    """At most ``max_bytes`` of entries (0 keeps none); generations in ``generations``."""

    def __init__(
        self,
        max_bytes: int,
        generations: Generations | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be zero or more")
        self._max_bytes = max_bytes
        self._generations = generations or Generations(None)
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._expiries: list[tuple[float, int, str]] = []  # a heap; stale items are skipped
        self._written = 0  # tells a heap item from the entry's later rewrites
        self._bytes = 0
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        """Bytes held, as counted against ``max_bytes``."""
        return self._bytes

    @property
    def entries(self) -> int:
        return len(self._entries)

    async def start(self) -> None:
        self._generations.open()
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        self._entries.clear()
        self._expiries.clear()
        self._bytes = 0
        self._generations.close()

    async def read(self, key: str, generation: str) -> tuple[bytes | None, bytes | None]:
        current = self._generations.read(generation)
        seen = b"%d" % current if current else None
        entry = self._entries.get(key)
        if entry is None:
            return seen, None
        if entry.stamp != current:
            return seen, None
        if entry.expires <= self._clock():
            self._drop(key)
            return seen, None
        self._entries.move_to_end(key)
        return seen, entry.value

    async def write(
        self, key: str, value: bytes, ttl: float, generation: str, seen: bytes | None
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        now = self._clock()
        self._sweep(now)
        current = self._generations.read(generation)
        if seen != (b"%d" % current if current else None):
            return
        size = len(key) + len(value) + ENTRY_OVERHEAD
        if size > self._max_bytes:
            return
        self._drop(key)
        self._written += 1
        expires = now + ttl
        self._entries[key] = _Entry(value, expires, current, size)
        heapq.heappush(self._expiries, (expires, self._written, key))
        self._bytes += size
        while self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))  # the least recently used
        if len(self._expiries) > 2 * len(self._entries) + 64:
            self._compact()

    async def bump(self, generation: str) -> None:
        self._generations.bump(generation)

    async def ping(self) -> None:
        """Always answers: the cache is this process."""

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def _sweep(self, now: float) -> None:
        """Free every entry whose time is up."""
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            expires, _, key = heapq.heappop(expiries)
            entry = self._entries.get(key)
            if entry is not None and entry.expires == expires:
                self._drop(key)

    def _compact(self) -> None:
        """Rebuild the heap from the live entries: rewrites and evictions leave stale items."""
        self._expiries = [
            (entry.expires, n, key) for n, (key, entry) in enumerate(self._entries.items())
        ]
        heapq.heapify(self._expiries)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self._sweep(self._clock())
