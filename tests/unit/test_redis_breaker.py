"""The circuit breaker in front of Redis: closed, open for a cooldown, then one trial."""

from __future__ import annotations

import pytest

from filmflare.adapters.redis.breaker import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def state_of(breaker: CircuitBreaker) -> BreakerState:
    """Read afresh (mypy would keep an earlier assertion's narrowing of the property)."""
    return breaker.state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("redis", threshold=3, cooldown=2.0, clock=clock)


def test_stays_closed_below_the_threshold(breaker: CircuitBreaker) -> None:
    breaker.failed()
    breaker.failed()
    breaker.succeeded()  # a success starts the count again
    breaker.failed()
    breaker.failed()
    assert breaker.allow()
    assert breaker.state is BreakerState.CLOSED


def test_opens_after_threshold_failures_in_a_row(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.failed()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.now += 1.9
    assert not breaker.allow()
    assert breaker.opened == 1


def test_after_the_cooldown_one_trial_goes_through(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 2.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # only one trial at a time
    breaker.succeeded()
    assert state_of(breaker) is BreakerState.CLOSED
    assert all(breaker.allow() for _ in range(5))


def test_a_failed_trial_opens_it_for_another_cooldown(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 2.0
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    clock.now += 1.0
    assert not breaker.allow()
    clock.now += 1.0
    assert breaker.allow()
    assert breaker.opened == 1  # reopening from half-open is the same outage


def test_an_abandoned_trial_lets_another_call_try(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 2.0
    assert breaker.allow()
    breaker.abandoned()
    assert breaker.allow()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        CircuitBreaker("redis", threshold=0)
    with pytest.raises(ValueError, match="cooldown"):
        CircuitBreaker("redis", cooldown=0)
