"""The cache contract on ``MemoryCache``, its LRU bound, and ``NoCache``'s own behaviour."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.memory import MemoryCache, NoCache
from tests.contract.cache_contract import LONG_TTL, CacheContract


class TestMemoryCache(CacheContract):
    """Every contract test against a new in-process cache."""

    @pytest.fixture
    async def cache(self) -> AsyncIterator[MemoryCache]:
        memory = MemoryCache(max_entries=1000)
        await memory.start()
        yield memory
        await memory.close()


pytestmark = pytest.mark.anyio


async def test_least_recently_used_entry_is_evicted() -> None:
    cache = MemoryCache(max_entries=3)
    for name in ("a", "b", "c"):
        await cache.set(name, name.encode(), LONG_TTL)
    await cache.get_many(["a"])  # "a" is now more recent than "b"
    await cache.set("d", b"d", LONG_TTL)
    assert await cache.get_many(["a", "b", "c", "d"]) == [b"a", None, b"c", b"d"]


async def test_overwrite_refreshes_recency() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", LONG_TTL)
    await cache.set("b", b"2", LONG_TTL)
    await cache.set("a", b"3", LONG_TTL)
    await cache.set("c", b"4", LONG_TTL)
    assert await cache.get_many(["a", "b", "c"]) == [b"3", None, b"4"]


async def test_counters_survive_lru_pressure() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.incr("gen")
    for n in range(10):
        await cache.set(f"entry{n}", b"x", LONG_TTL)
    assert await cache.get_many(["gen", "entry0", "entry9"]) == [b"1", None, b"x"]
    assert await cache.incr("gen") == 2


async def test_zero_entries_stores_no_entry_but_counts() -> None:
    cache = MemoryCache(max_entries=0)
    await cache.set("a", b"1", LONG_TTL)
    assert await cache.incr("gen") == 1
    assert await cache.get_many(["a", "gen"]) == [None, b"1"]


async def test_set_replaces_a_counter() -> None:
    cache = MemoryCache(max_entries=10)
    await cache.incr("n")
    await cache.set("n", b"text", LONG_TTL)
    assert await cache.get_many(["n"]) == [b"text"]


async def test_incr_of_text_is_refused() -> None:
    cache = MemoryCache(max_entries=10)
    await cache.set("n", b"text", LONG_TTL)
    with pytest.raises(ValueError, match="integer"):
        await cache.incr("n")
    assert await cache.get_many(["n"]) == [b"text"]


async def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=-1)
    with pytest.raises(ValueError, match="ttl"):
        await MemoryCache(max_entries=1).set("a", b"1", 0)


async def test_no_cache_keeps_nothing() -> None:
    cache = NoCache()
    await cache.start()
    await cache.set("a", b"1", LONG_TTL)
    await cache.set("b", b"2", LONG_TTL, guard=("gen", None))
    assert await cache.get_many(["a", "b"]) == [None, None]
    await cache.incr("gen")
    await cache.set("answer:1:d", b"3", LONG_TTL)
    assert await cache.get_at_generation("gen", "answer:", ":d") == (None, None)
    await cache.delete(["a"])
    await cache.ping()
    await cache.close()


async def test_no_cache_still_counts() -> None:
    cache = NoCache()
    assert [await cache.incr("gen") for _ in range(3)] == [1, 2, 3]
    assert await cache.incr("other") == 1
    assert await cache.get_many(["gen"]) == [None]
    await cache.delete(["gen"])
    assert await cache.incr("gen") == 1
