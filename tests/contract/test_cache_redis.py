"""The cache contract on a real Redis, and what only the Redis adapter does: fail fast and
open its circuit, and retire what a lost invalidation may have left behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.redis import RedisCache, RedisConnection
from filmflare.adapters.redis.breaker import BreakerState, CircuitBreaker
from filmflare.domain.errors import BackendUnavailable
from tests.contract.cache_contract import LONG_TTL, CacheContract
from tests.infra_redis import RedisServer, free_port, own_redis, redis_prefix, redis_url

__all__ = ["own_redis", "redis_prefix", "redis_url"]  # fixtures, used by name
pytestmark = [pytest.mark.infra, pytest.mark.anyio]
GENERATION = "gen:movies"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Generous, so that a busy machine fails nothing; the paused-server tests wait this long.
TIMEOUT = 1.0


def redis_cache(url: str, prefix: str, breaker: CircuitBreaker | None = None) -> RedisCache:
    connection = RedisConnection(url, timeout=TIMEOUT, breaker=breaker)
    return RedisCache(connection, prefix, generations=[GENERATION], recovery_interval=0.05)


class TestRedisCache(CacheContract):
    """Every contract test against Redis, under a prefix of the test's own."""

    @pytest.fixture
    async def cache(self, redis_url: str, redis_prefix: str) -> AsyncIterator[RedisCache]:
        cache = redis_cache(redis_url, redis_prefix)
        await cache.start()
        yield cache
        await cache.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def cache(redis_url: str, redis_prefix: str, clock: FakeClock) -> AsyncIterator[RedisCache]:
    """A cache whose breaker opens at the first failure and runs on ``clock``."""
    breaker = CircuitBreaker("redis", threshold=1, cooldown=5.0, clock=clock)
    cache = redis_cache(redis_url, redis_prefix, breaker)
    await cache.start()
    yield cache
    await cache.close()


def breaker_of(cache: RedisCache) -> CircuitBreaker:
    return cache._connection.breaker


async def test_a_skipped_invalidation_retires_every_entry_once_redis_answers(
    cache: RedisCache, clock: FakeClock
) -> None:
    await cache.set("movie:a", b"old a", LONG_TTL)
    await cache.set("movie:b", b"old b", LONG_TTL)
    breaker_of(cache).failed()  # the circuit opens: the next calls are skipped
    with pytest.raises(BackendUnavailable):
        await cache.delete(["movie:a"])  # this invalidation is lost
    clock.now += 6  # half-open: the next call is the trial
    assert await cache.get_many(["movie:a", "movie:b"]) == [None, None]
    assert breaker_of(cache).state is BreakerState.CLOSED
    await cache.set("movie:a", b"new a", LONG_TTL)
    assert await cache.get_many(["movie:a"]) == [b"new a"]


async def test_recovery_fails_the_guard_of_a_read_from_before(
    cache: RedisCache, clock: FakeClock
) -> None:
    await cache.incr(GENERATION)
    (seen,) = await cache.get_many([GENERATION])  # a reader's guard, read before the outage
    breaker_of(cache).failed()
    with pytest.raises(BackendUnavailable):
        await cache.incr(GENERATION)  # the writer's bump is lost
    clock.now += 6
    await cache.set("movie:a", b"read before the write", LONG_TTL, guard=(GENERATION, seen))
    assert await cache.get_many(["movie:a"]) == [None]
    (now,) = await cache.get_many([GENERATION])
    assert now is not None
    assert int(now) > int(seen or b"0")


async def test_reads_lost_in_an_outage_retire_nothing(cache: RedisCache, clock: FakeClock) -> None:
    await cache.set("movie:a", b"a", LONG_TTL)
    breaker_of(cache).failed()
    with pytest.raises(BackendUnavailable):
        await cache.get_many(["movie:a"])
    clock.now += 6
    assert await cache.get_many(["movie:a"]) == [b"a"]


async def test_an_open_circuit_skips_calls_until_its_cooldown(
    cache: RedisCache, clock: FakeClock
) -> None:
    breaker_of(cache).failed()
    for _ in range(3):
        with pytest.raises(BackendUnavailable, match="circuit open"):
            await cache.ping()
    clock.now += 6
    await cache.ping()
    metrics = cache._connection.metrics
    assert metrics.commands["ping", "skipped"] == 3
    assert metrics.commands["ping", "ok"] == 1


async def test_lookups_count_entries_not_counters(cache: RedisCache) -> None:
    await cache.incr(GENERATION)
    await cache.set("movie:a", b"a", LONG_TTL)
    await cache.get_many(["movie:a", "movie:missing", GENERATION])
    lookups = cache._connection.metrics.lookups
    assert (lookups["hit"], lookups["miss"]) == (1, 1)


async def test_an_entry_under_a_generation_is_one_lookup(cache: RedisCache) -> None:
    await cache.incr(GENERATION)
    await cache.set("search:1:d", b"answer", LONG_TTL)
    await cache.get_at_generation(GENERATION, "search:", ":d")
    await cache.get_at_generation(GENERATION, "search:", ":other")
    lookups = cache._connection.metrics.lookups
    assert (lookups["hit"], lookups["miss"]) == (1, 1)


async def test_an_entry_under_a_generation_is_retired_with_its_epoch(
    cache: RedisCache, clock: FakeClock
) -> None:
    await cache.set("search:0:d", b"old", LONG_TTL)
    breaker_of(cache).failed()
    with pytest.raises(BackendUnavailable):
        await cache.incr(GENERATION)  # a lost bump: recovery retires every entry
    clock.now += 6
    assert (await cache.get_at_generation(GENERATION, "search:", ":d"))[1] is None


async def test_an_unreachable_server_fails_fast_as_unavailable(redis_prefix: str) -> None:
    cache = redis_cache(f"redis://127.0.0.1:{free_port()}/0", redis_prefix)
    await cache.start()
    try:
        with pytest.raises(BackendUnavailable, match="cache"):
            await cache.get_many(["movie:a"])
        with pytest.raises(BackendUnavailable):
            await cache.incr(GENERATION)
        with pytest.raises(BackendUnavailable):
            await cache.get_at_generation(GENERATION, "search:", ":d")
    finally:
        await cache.close()


# -- a server of the test's own: paused, stopped, restarted --------------------------------


def quick_breaker() -> CircuitBreaker:
    return CircuitBreaker("redis", threshold=1, cooldown=0.2)


async def test_a_paused_server_keeps_a_stale_entry_that_recovery_retires(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    """The outage the epoch exists for: Redis keeps its data but misses the invalidation."""
    cache = redis_cache(own_redis.url, redis_prefix, quick_breaker())
    await cache.start()
    try:
        await cache.set("movie:a", b"version 1", LONG_TTL)
        own_redis.pause()
        with pytest.raises(BackendUnavailable):
            await cache.get_many(["movie:a"])  # times out: the circuit opens
        with pytest.raises(BackendUnavailable, match="circuit open"):
            await cache.delete(["movie:a"])  # never sent: the write's invalidation is lost
        own_redis.resume()
        await asyncio.sleep(0.3)  # past the cooldown
        assert await cache.get_many(["movie:a"]) == [None]
    finally:
        await cache.close()


async def test_a_restarted_empty_server_cannot_repeat_a_generation(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    cache = redis_cache(own_redis.url, redis_prefix)
    await cache.start()
    try:
        await cache.incr(GENERATION)
        (seen,) = await cache.get_many([GENERATION])
        own_redis.stop()
        with pytest.raises(BackendUnavailable):
            await cache.incr(GENERATION)
        own_redis.start()  # same port, no data: every counter starts again from nothing
        await cache.set("movie:a", b"stale", LONG_TTL, guard=(GENERATION, seen))
        assert await cache.get_many(["movie:a"]) == [None]
    finally:
        await cache.close()


async def test_another_process_sees_the_recovery_without_a_request_here(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    """The background probe recovers even when the process that lost a write stays idle."""
    writer = redis_cache(own_redis.url, redis_prefix, quick_breaker())
    reader = redis_cache(own_redis.url, redis_prefix)
    await writer.start()
    await reader.start()
    try:
        await writer.set("movie:a", b"version 1", LONG_TTL)
        own_redis.pause()
        with pytest.raises(BackendUnavailable):
            await writer.get_many(["movie:a"])
        with pytest.raises(BackendUnavailable):
            await writer.delete(["movie:a"])
        own_redis.resume()
        for _ in range(100):  # the writer's probe runs every 0.05 s once the cooldown is over
            if await reader.get_many(["movie:a"]) == [None]:
                break
            await asyncio.sleep(0.05)
        assert await reader.get_many(["movie:a"]) == [None]
        assert writer._connection.metrics.recoveries == 1
    finally:
        await writer.close()
        await reader.close()
