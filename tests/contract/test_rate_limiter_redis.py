"""The rate limiter contract on Redis: one count per client across every replica."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.redis import RedisConnection, RedisRateLimiter
from filmflare.domain.errors import BackendUnavailable
from filmflare.ports.rate_limiter import Rate, RateLimiter
from tests.contract.rate_limiter_contract import SLOW, LimiterFactory, RateLimiterContract
from tests.infra_redis import free_port, redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures, used by name
pytestmark = [pytest.mark.infra, pytest.mark.anyio]


def connection(url: str) -> RedisConnection:
    # Generous: concurrent hits open connections at once, and a busy machine is slow to accept.
    return RedisConnection(url, timeout=1.0)


class TestRedisRateLimiter(RateLimiterContract):
    @pytest.fixture
    async def limiter(self, redis_url: str, redis_prefix: str) -> AsyncIterator[LimiterFactory]:
        made: list[RateLimiter] = []

        async def make(rate: Rate) -> RateLimiter:
            limiter = RedisRateLimiter(connection(redis_url), rate, redis_prefix)
            await limiter.start()
            made.append(limiter)
            return limiter

        yield make
        for limiter in made:
            await limiter.close()


async def test_replicas_share_one_count(redis_url: str, redis_prefix: str) -> None:
    replicas = [RedisRateLimiter(connection(redis_url), SLOW, redis_prefix) for _ in "ab"]
    for replica in replicas:
        await replica.start()
    try:
        decisions = [await replicas[n % 2].hit("client") for n in range(4)]
        assert [d.allowed for d in decisions] == [True, True, True, False]
    finally:
        for replica in replicas:
            await replica.close()


async def test_an_unreachable_server_is_unavailable(redis_prefix: str) -> None:
    limiter = RedisRateLimiter(
        RedisConnection(f"redis://127.0.0.1:{free_port()}/0"), SLOW, redis_prefix
    )
    await limiter.start()
    try:
        with pytest.raises(BackendUnavailable):
            await limiter.hit("client")
    finally:
        await limiter.close()
