"""The contract every ``Cache`` adapter honours (memory, Redis).

A subclass provides a ``cache`` fixture: a started, empty cache. Keys are unique per test
(``key`` fixture) so a shared server needs no wiping. TTL tests use short lives and sleep
well past them; nothing here asserts on speed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from filmflare.ports.cache import Cache

SHORT_TTL = 0.05
PAST_SHORT_TTL = 0.3
LONG_TTL = 60.0


@pytest.mark.anyio
class CacheContract:
    """Not collected alone: subclasses named ``Test…`` supply the ``cache`` fixture."""

    @pytest.fixture
    def key(self) -> Callable[[str], str]:
        run = uuid.uuid4().hex[:12]
        return lambda name: f"test:{run}:{name}"

    async def test_missing_keys_are_none(self, cache: Cache, key: Callable[[str], str]) -> None:
        assert await cache.get_many([key("a"), key("b")]) == [None, None]
        assert await cache.get_many([]) == []

    async def test_set_then_get_in_key_order(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("a"), b"alpha", LONG_TTL)
        await cache.set(key("b"), b"\x00\xffbinary\n", LONG_TTL)
        assert await cache.get_many([key("b"), key("missing"), key("a")]) == [
            b"\x00\xffbinary\n",
            None,
            b"alpha",
        ]

    async def test_set_overwrites(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("a"), b"old", LONG_TTL)
        await cache.set(key("a"), b"new", LONG_TTL)
        assert await cache.get_many([key("a")]) == [b"new"]

    async def test_empty_value_is_a_hit(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("a"), b"", LONG_TTL)
        assert await cache.get_many([key("a")]) == [b""]

    async def test_entries_expire_after_their_ttl(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("short"), b"s", SHORT_TTL)
        await cache.set(key("long"), b"l", LONG_TTL)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert await cache.get_many([key("short"), key("long")]) == [None, b"l"]

    async def test_overwrite_restarts_the_ttl(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("a"), b"short", SHORT_TTL)
        await cache.set(key("a"), b"long", LONG_TTL)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert await cache.get_many([key("a")]) == [b"long"]

    async def test_delete_removes_keys(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("a"), b"1", LONG_TTL)
        await cache.set(key("b"), b"2", LONG_TTL)
        await cache.delete([key("a"), key("never-set")])
        assert await cache.get_many([key("a"), key("b")]) == [None, b"2"]
        await cache.delete([])

    # -- guarded set ---------------------------------------------------------------------

    async def test_guard_on_an_absent_key(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("a"), b"stored", LONG_TTL, guard=(key("gen"), None))
        await cache.set(key("b"), b"refused", LONG_TTL, guard=(key("gen"), b"1"))
        assert await cache.get_many([key("a"), key("b")]) == [b"stored", None]

    async def test_guard_on_a_present_key(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.set(key("gen"), b"7", LONG_TTL)
        await cache.set(key("a"), b"refused", LONG_TTL, guard=(key("gen"), None))
        await cache.set(key("b"), b"refused", LONG_TTL, guard=(key("gen"), b"6"))
        await cache.set(key("c"), b"stored", LONG_TTL, guard=(key("gen"), b"7"))
        assert await cache.get_many([key("a"), key("b"), key("c")]) == [None, None, b"stored"]

    async def test_a_refused_set_keeps_the_old_value(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("a"), b"old", LONG_TTL)
        await cache.set(key("a"), b"new", LONG_TTL, guard=(key("gen"), b"1"))
        assert await cache.get_many([key("a")]) == [b"old"]

    async def test_guard_sees_an_expired_key_as_absent(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("gen"), b"1", SHORT_TTL)
        await asyncio.sleep(PAST_SHORT_TTL)
        await cache.set(key("a"), b"refused", LONG_TTL, guard=(key("gen"), b"1"))
        await cache.set(key("b"), b"stored", LONG_TTL, guard=(key("gen"), None))
        assert await cache.get_many([key("a"), key("b")]) == [None, b"stored"]

    async def test_guard_on_a_counter(self, cache: Cache, key: Callable[[str], str]) -> None:
        """The read-then-fill pattern of the use cases: a bump in between refuses the fill."""
        (seen,) = await cache.get_many([key("gen")])
        await cache.incr(key("gen"))
        await cache.set(key("a"), b"stale", LONG_TTL, guard=(key("gen"), seen))
        (now,) = await cache.get_many([key("gen")])
        await cache.set(key("b"), b"fresh", LONG_TTL, guard=(key("gen"), now))
        assert await cache.get_many([key("a"), key("b")]) == [None, b"fresh"]

    async def test_guard_on_the_key_itself_is_compare_and_set(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("a"), b"v1", LONG_TTL, guard=(key("a"), None))
        await cache.set(key("a"), b"lost", LONG_TTL, guard=(key("a"), None))
        await cache.set(key("a"), b"v2", LONG_TTL, guard=(key("a"), b"v1"))
        assert await cache.get_many([key("a")]) == [b"v2"]

    async def test_concurrent_guarded_sets_one_wins(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        values = [str(n).encode() for n in range(10)]
        await asyncio.gather(
            *(cache.set(key("a"), v, LONG_TTL, guard=(key("a"), None)) for v in values)
        )
        (stored,) = await cache.get_many([key("a")])
        assert stored in values
        await cache.set(key("a"), b"late", LONG_TTL, guard=(key("a"), None))
        assert await cache.get_many([key("a")]) == [stored]

    # -- counters ------------------------------------------------------------------------

    async def test_incr_counts_from_zero(self, cache: Cache, key: Callable[[str], str]) -> None:
        assert [await cache.incr(key("n")) for _ in range(3)] == [1, 2, 3]
        assert await cache.get_many([key("n")]) == [b"3"]

    async def test_incr_continues_a_stored_integer(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.set(key("n"), b"41", LONG_TTL)
        assert await cache.incr(key("n")) == 42

    async def test_deleted_counter_restarts(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.incr(key("n"))
        await cache.incr(key("n"))
        await cache.delete([key("n")])
        assert await cache.get_many([key("n")]) == [None]
        assert await cache.incr(key("n")) == 1

    async def test_counters_are_independent(self, cache: Cache, key: Callable[[str], str]) -> None:
        await cache.incr(key("a"))
        assert await cache.incr(key("b")) == 1
        assert await cache.incr(key("a")) == 2

    async def test_concurrent_incr_loses_nothing(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        results = await asyncio.gather(*(cache.incr(key("n")) for _ in range(50)))
        assert sorted(results) == list(range(1, 51))
        assert await cache.get_many([key("n")]) == [b"50"]

    async def test_counters_do_not_expire_with_entries(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        await cache.incr(key("n"))
        await cache.set(key("a"), b"x", SHORT_TTL)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert await cache.get_many([key("n"), key("a")]) == [b"1", None]

    # -- an entry under a generation ----------------------------------------------------

    async def test_get_at_generation_reads_under_the_counter(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        gen, head, tail = key("gen"), key("answer") + ":", ":digest"
        assert await cache.get_at_generation(gen, head, tail) == (None, None)
        await cache.set(f"{head}0{tail}", b"before any bump", LONG_TTL)
        assert await cache.get_at_generation(gen, head, tail) == (None, b"before any bump")
        await cache.incr(gen)
        await cache.incr(gen)
        assert await cache.get_at_generation(gen, head, tail) == (b"2", None)
        await cache.set(f"{head}2{tail}", b"at 2", LONG_TTL)
        assert await cache.get_at_generation(gen, head, tail) == (b"2", b"at 2")
        assert await cache.get_at_generation(gen, head, ":other") == (b"2", None)

    async def test_get_at_generation_is_two_reads_in_one(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        gen, head, tail = key("gen"), key("answer") + ":", ":d"
        for generation in (b"41", b""):  # set as an entry; an empty one reads as 0
            await cache.set(gen, generation, LONG_TTL)
            await cache.set(f"{head}{(generation or b'0').decode()}{tail}", b"v", LONG_TTL)
            (seen,) = await cache.get_many([gen])
            (expected,) = await cache.get_many([f"{head}{(seen or b'0').decode()}{tail}"])
            assert expected == b"v"
            assert await cache.get_at_generation(gen, head, tail) == (seen, expected)

    async def test_get_at_generation_misses_an_expired_entry(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        gen, head, tail = key("gen"), key("answer") + ":", ":d"
        await cache.incr(gen)
        await cache.set(f"{head}1{tail}", b"short", SHORT_TTL)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert await cache.get_at_generation(gen, head, tail) == (b"1", None)

    async def test_ping_answers(self, cache: Cache) -> None:
        await cache.ping()
