"""The contract every ``RateLimiter`` adapter honours (memory, Redis).

A subclass provides ``limiter``: a factory ``(Rate) -> started limiter`` whose limiters it
closes after the test. Client keys are unique per test, so a shared server needs no wiping.
Waiting tests sleep well past what they wait for; nothing here asserts on speed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest

from filmflare.ports.rate_limiter import Rate, RateDecision, RateLimiter

LimiterFactory = Callable[[Rate], Awaitable[RateLimiter]]
SLOW = Rate(3, 30)  # 3 at once, then one per 10 s: nothing comes back during a test
FAST = Rate(2, 0.2)  # 2 at once, then one per 0.1 s


async def burst(limiter: RateLimiter, client: str, count: int) -> list[RateDecision]:
    return [await limiter.hit(client) for _ in range(count)]


@pytest.mark.anyio
class RateLimiterContract:
    """Not collected alone: subclasses named ``Test…`` supply the ``limiter`` fixture."""

    @pytest.fixture
    def client(self) -> Callable[[str], str]:
        run = uuid.uuid4().hex[:12]
        return lambda name: f"test-{run}-{name}"

    async def test_a_burst_of_the_rate_is_allowed_then_refused(
        self, limiter: LimiterFactory, client: Callable[[str], str]
    ) -> None:
        decisions = await burst(await limiter(SLOW), client("a"), 5)
        assert [d.allowed for d in decisions] == [True, True, True, False, False]
        assert all(d.retry_after == 0 for d in decisions[:3])
        assert all(9 < d.retry_after <= 10 for d in decisions[3:])

    async def test_clients_are_counted_apart(
        self, limiter: LimiterFactory, client: Callable[[str], str]
    ) -> None:
        limits = await limiter(SLOW)
        await burst(limits, client("a"), 3)
        assert (await limits.hit(client("a"))).allowed is False
        assert [d.allowed for d in await burst(limits, client("b"), 3)] == [True] * 3

    async def test_a_refused_request_uses_nothing(
        self, limiter: LimiterFactory, client: Callable[[str], str]
    ) -> None:
        limits = await limiter(FAST)
        await burst(limits, client("a"), 2)
        refused = await burst(limits, client("a"), 5)
        assert not any(d.allowed for d in refused)
        await asyncio.sleep(max(d.retry_after for d in refused) + 0.05)
        assert (await limits.hit(client("a"))).allowed

    async def test_the_allowance_comes_back_whole_after_the_period(
        self, limiter: LimiterFactory, client: Callable[[str], str]
    ) -> None:
        limits = await limiter(FAST)
        await burst(limits, client("a"), 3)
        await asyncio.sleep(FAST.seconds + 0.1)
        decisions = await burst(limits, client("a"), 3)
        assert [d.allowed for d in decisions] == [True, True, False]

    async def test_concurrent_hits_allow_exactly_the_burst(
        self, limiter: LimiterFactory, client: Callable[[str], str]
    ) -> None:
        limits = await limiter(Rate(10, 60))
        decisions = await asyncio.gather(*(limits.hit(client("a")) for _ in range(30)))
        assert sum(d.allowed for d in decisions) == 10
