"""The contract every ``Cache`` adapter honours (memory, Redis, Redis Cluster).

A subclass provides a ``cache`` fixture: a started, empty cache. Keys are unique per test
(``key`` fixture) and carry a hash tag, as the application's do, so a shared server needs no
wiping and a cluster keeps an entry beside its generation. TTL tests use short lives and
sleep well past them; nothing here asserts on speed.
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
Names = Callable[[str], str]


@pytest.mark.anyio
class CacheContract:
    """Not collected alone: subclasses named ``Test…`` supply the ``cache`` fixture."""

    @pytest.fixture
    def key(self) -> Names:
        run = uuid.uuid4().hex[:12]
        return lambda name: f"test:{{{run}}}:{name}"

    async def test_a_missing_key_reads_as_none(self, cache: Cache, key: Names) -> None:
        assert await cache.read(key("a"), key("gen")) == (None, None)

    async def test_written_then_read(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"alpha", LONG_TTL, key("gen"), None)
        await cache.write(key("b"), b"\x00\xffbinary\n", LONG_TTL, key("gen"), None)
        assert await cache.read(key("a"), key("gen")) == (None, b"alpha")
        assert await cache.read(key("b"), key("gen")) == (None, b"\x00\xffbinary\n")

    async def test_an_empty_value_is_a_hit(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"", LONG_TTL, key("gen"), None)
        assert await cache.read(key("a"), key("gen")) == (None, b"")

    async def test_a_write_overwrites(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"old", LONG_TTL, key("gen"), None)
        await cache.write(key("a"), b"new", LONG_TTL, key("gen"), None)
        assert (await cache.read(key("a"), key("gen")))[1] == b"new"

    async def test_entries_expire_after_their_ttl(self, cache: Cache, key: Names) -> None:
        await cache.write(key("short"), b"s", SHORT_TTL, key("gen"), None)
        await cache.write(key("long"), b"l", LONG_TTL, key("gen"), None)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert (await cache.read(key("short"), key("gen")))[1] is None
        assert (await cache.read(key("long"), key("gen")))[1] == b"l"

    async def test_an_overwrite_restarts_the_ttl(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"short", SHORT_TTL, key("gen"), None)
        await cache.write(key("a"), b"long", LONG_TTL, key("gen"), None)
        await asyncio.sleep(PAST_SHORT_TTL)
        assert (await cache.read(key("a"), key("gen")))[1] == b"long"

    # -- generations -----------------------------------------------------------------------

    async def test_a_bump_retires_what_was_written_before(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"before", LONG_TTL, key("gen"), None)
        await cache.bump(key("gen"))
        seen, value = await cache.read(key("a"), key("gen"))
        assert seen is not None
        assert value is None

    async def test_a_write_under_the_new_generation_is_read(self, cache: Cache, key: Names) -> None:
        await cache.bump(key("gen"))
        seen, _ = await cache.read(key("a"), key("gen"))
        await cache.write(key("a"), b"after", LONG_TTL, key("gen"), seen)
        assert await cache.read(key("a"), key("gen")) == (seen, b"after")

    async def test_a_read_then_a_bump_refuses_the_fill(self, cache: Cache, key: Names) -> None:
        """The read-then-fill of the use cases: a write's bump in between stores nothing."""
        for _ in range(3):
            seen, _ = await cache.read(key("a"), key("gen"))
            await cache.bump(key("gen"))
            await cache.write(key("a"), b"stale", LONG_TTL, key("gen"), seen)
            assert (await cache.read(key("a"), key("gen")))[1] is None

    async def test_a_refused_write_keeps_nothing_readable(self, cache: Cache, key: Names) -> None:
        await cache.write(key("a"), b"old", LONG_TTL, key("gen"), None)
        await cache.write(key("a"), b"refused", LONG_TTL, key("gen"), b"12345")
        assert await cache.read(key("a"), key("gen")) == (None, b"old")

    async def test_a_bump_never_repeats_a_value(self, cache: Cache, key: Names) -> None:
        values = []
        for _ in range(5):
            await cache.bump(key("gen"))
            values.append((await cache.read(key("a"), key("gen")))[0])
        assert None not in values
        assert len(set(values)) == 5

    async def test_concurrent_bumps_each_retire(self, cache: Cache, key: Names) -> None:
        seen, _ = await cache.read(key("a"), key("gen"))
        await asyncio.gather(*(cache.bump(key("gen")) for _ in range(20)))
        after, _ = await cache.read(key("a"), key("gen"))
        await cache.write(key("a"), b"stale", LONG_TTL, key("gen"), seen)
        assert await cache.read(key("a"), key("gen")) == (after, None)

    async def test_ping_answers(self, cache: Cache) -> None:
        await cache.ping()
