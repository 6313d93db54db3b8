"""A circuit breaker: stop calling a server that keeps failing, and try it again later.

While Redis is down every request would otherwise wait for a connect or read timeout before
falling back; once the breaker is open they fall back at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import IntEnum

log = logging.getLogger(__name__)


class BreakerState(IntEnum):
    """The values ``/metrics`` reports for ``filmflare_redis_breaker_state``."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Closed until ``threshold`` calls in a row fail; then open for ``cooldown`` seconds,
    refusing every call; then half-open: one trial call goes through, and its outcome closes
    the breaker or opens it again. Not thread-safe: one event loop owns it.
    """

    def __init__(
        self,
        name: str,
        threshold: int = 5,
        cooldown: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1 or cooldown <= 0:
            raise ValueError("threshold must be at least 1 and cooldown positive")
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self.opened = 0  # how many times it opened, for /metrics
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._trial = False

    @property
    def state(self) -> BreakerState:
        if self._open_until is None:
            return BreakerState.CLOSED
        if not self._trial and self._clock() < self._open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open, only to the one trial."""
        if self._open_until is None:
            return True
        if self._trial or self._clock() < self._open_until:
            return False
        self._trial = True
        return True

    def succeeded(self) -> None:
        if self._open_until is not None:
            log.warning("%s answers again: circuit closed", self.name)
        self._failures = 0
        self._open_until = None
        self._trial = False

    def failed(self) -> None:
        self._failures += 1
        if self._trial or (self._open_until is None and self._failures >= self.threshold):
            if self._open_until is None:
                log.error(
                    "%s failed %d times in a row: circuit open, calls skip it for %gs",
                    self.name,
                    self._failures,
                    self.cooldown,
                )
                self.opened += 1
            self._open_until = self._clock() + self.cooldown
        self._trial = False

    def abandoned(self) -> None:
        """A call that went out ended with no verdict (cancelled): let another one try."""
        self._trial = False
