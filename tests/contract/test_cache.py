"""The cache contract on ``MemoryCache``; its bound in bytes, its sweep, and generations
shared between processes; ``NoCache``'s own behaviour."""

from __future__ import annotations

import multiprocessing
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from filmflare.adapters.memory import Generations, MemoryCache, NoCache
from filmflare.adapters.memory.cache import ENTRY_OVERHEAD
from tests.contract.cache_contract import LONG_TTL, CacheContract


class TestMemoryCache(CacheContract):
    """Every contract test against a new in-process cache."""

    @pytest.fixture
    async def cache(self) -> AsyncIterator[MemoryCache]:
        memory = MemoryCache(max_bytes=1 << 20)
        await memory.start()
        yield memory
        await memory.close()


class TestMemoryCacheSharingAFile(CacheContract):
    """The same, with its generations in a file other processes may map."""

    @pytest.fixture
    async def cache(self, tmp_path: Path) -> AsyncIterator[MemoryCache]:
        memory = MemoryCache(max_bytes=1 << 20, generations=Generations(tmp_path / "gens"))
        await memory.start()
        yield memory
        await memory.close()


pytestmark = pytest.mark.anyio
GEN = "gen"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry_size(key: str, value: bytes) -> int:
    return len(key) + len(value) + ENTRY_OVERHEAD


async def hits(cache: MemoryCache, *keys: str) -> list[bytes | None]:
    return [(await cache.read(key, GEN))[1] for key in keys]


async def test_the_least_recently_used_entry_is_evicted_past_the_byte_bound() -> None:
    cache = MemoryCache(max_bytes=3 * entry_size("a", b"1" * 100))
    for name in ("a", "b", "c"):
        await cache.write(name, b"1" * 100, LONG_TTL, GEN, None)
    await cache.read("a", GEN)  # "a" is now more recent than "b"
    await cache.write("d", b"1" * 100, LONG_TTL, GEN, None)
    assert await hits(cache, "a", "b", "c", "d") == [b"1" * 100, None, b"1" * 100, b"1" * 100]
    assert cache.size == 3 * entry_size("a", b"1" * 100)


async def test_large_entries_push_out_as_many_small_ones_as_they_need() -> None:
    cache = MemoryCache(max_bytes=10_000)
    for n in range(10):
        await cache.write(f"small{n}", b"x" * 100, LONG_TTL, GEN, None)
    await cache.write("large", b"y" * 8_000, LONG_TTL, GEN, None)
    assert cache.size <= 10_000
    assert (await cache.read("large", GEN))[1] == b"y" * 8_000
    assert (await cache.read("small9", GEN))[1] == b"x" * 100  # the most recent small ones stay
    assert (await cache.read("small0", GEN))[1] is None


async def test_an_entry_over_the_bound_is_not_kept() -> None:
    cache = MemoryCache(max_bytes=1_000)
    await cache.write("kept", b"k", LONG_TTL, GEN, None)
    await cache.write("huge", b"h" * 2_000, LONG_TTL, GEN, None)
    assert await hits(cache, "kept", "huge") == [b"k", None]


async def test_an_overwrite_counts_once() -> None:
    cache = MemoryCache(max_bytes=1 << 20)
    for size in (100, 5_000, 10):
        await cache.write("a", b"v" * size, LONG_TTL, GEN, None)
    assert cache.size == entry_size("a", b"v" * 10)


async def test_expired_entries_are_freed_without_being_read() -> None:
    clock = Clock()
    cache = MemoryCache(max_bytes=1 << 20, clock=clock)
    for n in range(100):
        await cache.write(f"k{n}", b"v" * 1_000, 60.0, GEN, None)
    assert cache.size == 100 * entry_size("k10", b"v" * 1_000) - 10  # k0..k9 are a byte shorter
    clock.now += 61
    await cache.write("fresh", b"f", 60.0, GEN, None)  # a write sweeps what has expired
    assert cache.size == entry_size("fresh", b"f")


async def test_zero_bytes_keeps_nothing() -> None:
    cache = MemoryCache(max_bytes=0)
    await cache.write("a", b"1", LONG_TTL, GEN, None)
    assert await hits(cache, "a") == [None]


async def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        MemoryCache(max_bytes=-1)
    with pytest.raises(ValueError, match="ttl"):
        await MemoryCache(max_bytes=100).write("a", b"1", 0, GEN, None)


async def test_a_bump_in_one_cache_retires_the_entries_of_another_sharing_its_file(
    tmp_path: Path,
) -> None:
    """Two worker processes of one server, each with its own entries."""
    first = MemoryCache(1 << 20, Generations(tmp_path / "gens"))
    second = MemoryCache(1 << 20, Generations(tmp_path / "gens"))
    await first.start()
    await second.start()
    try:
        await second.write("movie", b"version 1", LONG_TTL, GEN, None)
        assert (await second.read("movie", GEN))[1] == b"version 1"
        await first.bump(GEN)
        seen, value = await second.read("movie", GEN)
        assert (seen, value) == (b"1", None)
        await second.write("movie", b"version 2", LONG_TTL, GEN, seen)
        assert (await second.read("movie", GEN))[1] == b"version 2"
    finally:
        await first.close()
        await second.close()


def _bump_many(path: Path, name: str, times: int) -> None:
    generations = Generations(path)
    generations.open()
    for _ in range(times):
        generations.bump(name)
    generations.close()


def test_bumps_from_several_processes_are_never_lost(tmp_path: Path) -> None:
    path, times = tmp_path / "gens", 100_000
    context = multiprocessing.get_context("spawn")
    others = [context.Process(target=_bump_many, args=(path, GEN, times)) for _ in range(2)]
    for process in others:
        process.start()
    _bump_many(path, GEN, times)
    for process in others:
        process.join(timeout=60)
        assert process.exitcode == 0
    generations = Generations(path)
    generations.open()
    try:
        assert generations.read(GEN) == 3 * times
    finally:
        generations.close()


async def test_no_cache_keeps_nothing() -> None:
    cache = NoCache()
    await cache.start()
    await cache.write("a", b"1", LONG_TTL, GEN, None)
    assert await cache.read("a", GEN) == (None, None)
    await cache.bump(GEN)
    assert await cache.read("a", GEN) == (None, None)
    await cache.ping()
    await cache.close()
