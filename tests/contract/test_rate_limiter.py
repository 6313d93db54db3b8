"""The rate limiter contract on ``MemoryRateLimiter``, its memory bound, and ``Rate``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.memory import MemoryRateLimiter
from filmflare.ports.rate_limiter import Rate, RateLimiter
from tests.contract.rate_limiter_contract import LimiterFactory, RateLimiterContract


class TestMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture
    async def limiter(self) -> AsyncIterator[LimiterFactory]:
        made: list[RateLimiter] = []

        async def make(rate: Rate) -> RateLimiter:
            limiter = MemoryRateLimiter(rate)
            await limiter.start()
            made.append(limiter)
            return limiter

        yield make
        for limiter in made:
            await limiter.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_idle_clients_are_forgotten() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(Rate(2, 10), clock)
    for n in range(100):
        await limiter.hit(f"client-{n}")
    assert len(limiter) == 100
    clock.now += 11  # every allowance is whole again
    for n in range(60):
        await limiter.hit(f"other-{n}")
    assert len(limiter) == 60


@pytest.mark.parametrize(
    ("text", "rate"),
    [("100/60", Rate(100, 60)), (" 5 / 1.5 ", Rate(5, 1.5)), ("1/1", Rate(1, 1))],
)
def test_rates_are_read_as_requests_per_seconds(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate
    assert Rate.parse(text).interval == rate.seconds / rate.requests


@pytest.mark.parametrize("text", ["", "100", "100/", "/60", "a/b", "0/60", "5/0", "-1/60"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)
