"""``Cache`` in the process's memory: LRU-bounded entries with a time to live.

Every method runs without awaiting, so on one event loop each call, the guarded ``set``
included, is atomic. Counters live apart from the entries: a generation counter evicted
by LRU pressure would come back as 0, reviving responses cached under an old generation.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence


class MemoryCache:
    """At most ``max_entries`` entries (least recently used evicted first); counters unbounded.

    Entries expire ``ttl`` seconds after they are set, on the monotonic clock. Counters never
    expire. ``set`` on a counter's key replaces it with an entry; ``incr`` on an entry holding
    an integer turns it into a counter, and on any other entry raises ``ValueError``.
    """

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be zero or more")
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._counters: dict[str, int] = {}

    async def start(self) -> None:
        """Nothing to open."""

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._get(key) for key in keys]

    async def get_at_generation(
        self, counter: str, head: str, tail: str
    ) -> tuple[bytes | None, bytes | None]:
        generation = self._get(counter)
        return generation, self._get(head + (generation or b"0").decode() + tail)

    async def set(
        self, key: str, value: bytes, ttl: float, guard: tuple[str, bytes | None] | None = None
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if guard is not None and self._get(guard[0]) != guard[1]:
            return
        self._counters.pop(key, None)
        self._entries[key] = (value, self._clock() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)
            self._counters.pop(key, None)

    async def incr(self, key: str) -> int:
        start = self._get(key)
        if key not in self._counters and start is not None:
            try:
                self._counters[key] = int(start)
            except ValueError:
                raise ValueError(f"cache key {key!r} does not hold an integer") from None
            del self._entries[key]
        value = self._counters.get(key, 0) + 1
        self._counters[key] = value
        return value

    async def ping(self) -> None:
        """Always answers: the cache is this process."""

    async def close(self) -> None:
        self._entries.clear()
        self._counters.clear()

    def _get(self, key: str) -> bytes | None:
        counter = self._counters.get(key)
        if counter is not None:
            return str(counter).encode()
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value
