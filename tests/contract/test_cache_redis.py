"""The cache contract on a real Redis and on a real Redis Cluster, and what only the Redis
adapter does: fail fast and open its circuit, retire what a lost invalidation may have left
behind, and let a cancellation through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.redis import RedisCache, RedisConnection
from filmflare.adapters.redis.breaker import BreakerState, CircuitBreaker
from filmflare.domain.errors import BackendUnavailable
from tests.contract.cache_contract import LONG_TTL, CacheContract
from tests.infra_redis import (
    RedisServer,
    free_port,
    own_redis,
    redis_cluster_url,
    redis_prefix,
    redis_url,
)

__all__ = ["own_redis", "redis_cluster_url", "redis_prefix", "redis_url"]  # fixtures
pytestmark = [pytest.mark.infra, pytest.mark.anyio]
GENERATION = "gen:{m1}"
MOVIE_A, MOVIE_B = "movie:{m1}:a", "movie:{m1}:b"
OTHER_GENERATION, MOVIE_C = "gen:{m2}", "movie:{m2}:c"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Generous, so that a busy machine fails nothing; the paused-server tests wait this long.
TIMEOUT = 1.0


def redis_cache(
    url: str, prefix: str, breaker: CircuitBreaker | None = None, cluster: bool = False
) -> RedisCache:
    connection = RedisConnection(url, timeout=TIMEOUT, breaker=breaker, cluster=cluster)
    generations = [GENERATION, OTHER_GENERATION]
    return RedisCache(connection, prefix, generations=generations, recovery_interval=0.05)


class TestRedisCache(CacheContract):
    """Every contract test against Redis, under a prefix of the test's own."""

    @pytest.fixture
    async def cache(self, redis_url: str, redis_prefix: str) -> AsyncIterator[RedisCache]:
        cache = redis_cache(redis_url, redis_prefix)
        await cache.start()
        yield cache
        await cache.close()


class TestRedisClusterCache(CacheContract):
    """Every contract test against a Redis Cluster of three masters: each call's keys share
    a hash tag, and every script names its keys."""

    @pytest.fixture
    async def cache(self, redis_cluster_url: str, redis_prefix: str) -> AsyncIterator[RedisCache]:
        cache = redis_cache(redis_cluster_url, redis_prefix, cluster=True)
        await cache.start()
        yield cache
        await cache.close()


async def test_a_cluster_recovers_every_generation_across_its_nodes(
    redis_cluster_url: str, redis_prefix: str
) -> None:
    """A lost bump retires the entries of generations held by different masters."""
    clock = FakeClock()
    breaker = CircuitBreaker("redis", threshold=1, cooldown=5.0, clock=clock)
    cache = redis_cache(redis_cluster_url, redis_prefix, breaker, cluster=True)
    await cache.start()
    try:
        await cache.write(MOVIE_A, b"a", LONG_TTL, GENERATION, None)
        await cache.write(MOVIE_C, b"c", LONG_TTL, OTHER_GENERATION, None)
        breaker.failed()
        with pytest.raises(BackendUnavailable):
            await cache.bump(GENERATION)
        clock.now += 6
        assert await value(cache, MOVIE_A) is None
        assert await value(cache, MOVIE_C, OTHER_GENERATION) is None
    finally:
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


async def value(cache: RedisCache, key: str, generation: str = GENERATION) -> bytes | None:
    return (await cache.read(key, generation))[1]


async def test_a_skipped_invalidation_retires_every_entry_once_redis_answers(
    cache: RedisCache, clock: FakeClock
) -> None:
    await cache.write(MOVIE_A, b"old a", LONG_TTL, GENERATION, None)
    await cache.write(MOVIE_C, b"old c", LONG_TTL, OTHER_GENERATION, None)
    breaker_of(cache).failed()  # the circuit opens: the next calls are skipped
    with pytest.raises(BackendUnavailable):
        await cache.bump(GENERATION)  # this invalidation is lost
    clock.now += 6  # half-open: the next call is the trial
    assert await value(cache, MOVIE_A) is None
    assert await value(cache, MOVIE_C, OTHER_GENERATION) is None
    assert breaker_of(cache).state is BreakerState.CLOSED
    seen, _ = await cache.read(MOVIE_A, GENERATION)
    await cache.write(MOVIE_A, b"new a", LONG_TTL, GENERATION, seen)
    assert await value(cache, MOVIE_A) == b"new a"


async def test_recovery_fails_the_guard_of_a_read_from_before(
    cache: RedisCache, clock: FakeClock
) -> None:
    await cache.bump(GENERATION)
    seen, _ = await cache.read(MOVIE_A, GENERATION)  # a reader's guard, read before the outage
    breaker_of(cache).failed()
    with pytest.raises(BackendUnavailable):
        await cache.bump(GENERATION)  # the writer's bump is lost
    clock.now += 6
    await cache.write(MOVIE_A, b"read before the write", LONG_TTL, GENERATION, seen)
    now, found = await cache.read(MOVIE_A, GENERATION)
    assert found is None
    assert now is not None
    assert int(now) > int(seen or b"0")


async def test_reads_lost_in_an_outage_retire_nothing(cache: RedisCache, clock: FakeClock) -> None:
    await cache.write(MOVIE_A, b"a", LONG_TTL, GENERATION, None)
    breaker_of(cache).failed()
    with pytest.raises(BackendUnavailable):
        await cache.read(MOVIE_A, GENERATION)
    clock.now += 6
    assert await value(cache, MOVIE_A) == b"a"


async def test_a_bump_retires_only_its_own_generation(cache: RedisCache) -> None:
    await cache.write(MOVIE_A, b"a", LONG_TTL, GENERATION, None)
    await cache.write(MOVIE_C, b"c", LONG_TTL, OTHER_GENERATION, None)
    await cache.bump(GENERATION)
    assert await value(cache, MOVIE_A) is None
    assert await value(cache, MOVIE_C, OTHER_GENERATION) == b"c"


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


async def test_lookups_count_hits_and_misses(cache: RedisCache) -> None:
    await cache.write(MOVIE_A, b"a", LONG_TTL, GENERATION, None)
    await cache.read(MOVIE_A, GENERATION)
    await cache.read(MOVIE_B, GENERATION)
    lookups = cache._connection.metrics.lookups
    assert (lookups["hit"], lookups["miss"]) == (1, 1)


async def test_an_unreachable_server_fails_fast_as_unavailable(redis_prefix: str) -> None:
    cache = redis_cache(f"redis://127.0.0.1:{free_port()}/0", redis_prefix)
    await cache.start()
    try:
        with pytest.raises(BackendUnavailable, match="cache"):
            await cache.read(MOVIE_A, GENERATION)
        with pytest.raises(BackendUnavailable):
            await cache.bump(GENERATION)
        with pytest.raises(BackendUnavailable):
            await cache.write(MOVIE_A, b"a", LONG_TTL, GENERATION, None)
    finally:
        await cache.close()


async def test_a_cancelled_command_is_never_swallowed(redis_url: str, redis_prefix: str) -> None:
    """A task cancelled while its Redis call runs ends cancelled, whenever the cancellation
    lands. redis-py's socket timeout wraps each send in ``asyncio.wait_for``, which on Python
    3.11 returns normally when the cancellation arrives as the send completes: the task went
    on as if never cancelled (how a server's shutdown once hung). Each round cancels one loop
    turn later than the last, so one of them lands in that window."""
    cache = redis_cache(redis_url, redis_prefix)
    await cache.start()
    try:
        for turns in range(30):
            task = asyncio.create_task(cache.read(MOVIE_A, GENERATION))
            for _ in range(turns):
                await asyncio.sleep(0)
            if not task.cancel():  # it had already finished: nothing to lose
                continue
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        await cache.close()


# -- a server of the test's own: paused, stopped, restarted --------------------------------


def quick_breaker() -> CircuitBreaker:
    return CircuitBreaker("redis", threshold=1, cooldown=0.2)


async def test_a_paused_server_keeps_a_stale_entry_that_recovery_retires(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    """The outage recovery exists for: Redis keeps its data but misses the invalidation."""
    cache = redis_cache(own_redis.url, redis_prefix, quick_breaker())
    await cache.start()
    try:
        await cache.write(MOVIE_A, b"version 1", LONG_TTL, GENERATION, None)
        own_redis.pause()
        with pytest.raises(BackendUnavailable):
            await cache.read(MOVIE_A, GENERATION)  # times out: the circuit opens
        with pytest.raises(BackendUnavailable, match="circuit open"):
            await cache.bump(GENERATION)  # never sent: the write's invalidation is lost
        own_redis.resume()
        await asyncio.sleep(0.3)  # past the cooldown
        assert await value(cache, MOVIE_A) is None
    finally:
        await cache.close()


async def test_a_restarted_empty_server_cannot_repeat_a_generation(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    cache = redis_cache(own_redis.url, redis_prefix)
    await cache.start()
    try:
        await cache.bump(GENERATION)
        seen, _ = await cache.read(MOVIE_A, GENERATION)
        own_redis.stop()
        with pytest.raises(BackendUnavailable):
            await cache.bump(GENERATION)
        own_redis.start()  # same port, no data: every counter starts again from nothing
        await cache.write(MOVIE_A, b"stale", LONG_TTL, GENERATION, seen)
        assert await value(cache, MOVIE_A) is None
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
        await writer.write(MOVIE_A, b"version 1", LONG_TTL, GENERATION, None)
        own_redis.pause()
        with pytest.raises(BackendUnavailable):
            await writer.read(MOVIE_A, GENERATION)
        with pytest.raises(BackendUnavailable):
            await writer.bump(GENERATION)
        own_redis.resume()
        for _ in range(100):  # the writer's probe runs every 0.05 s once the cooldown is over
            if await value(reader, MOVIE_A) is None:
                break
            await asyncio.sleep(0.05)
        assert await value(reader, MOVIE_A) is None
        assert writer._connection.metrics.recoveries == 1
    finally:
        await writer.close()
        await reader.close()
