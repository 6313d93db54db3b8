"""``RateLimiter`` in the process's memory, for a single process (or per-process limits)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from filmflare.ports.rate_limiter import Rate, RateDecision

# Idle clients swept per hit: enough to keep up with any arrival rate, cheap on each request.
_SWEEP = 2


class MemoryRateLimiter:
    """The generic cell rate algorithm, one theoretical arrival time (TAT) per client.

    A client's TAT is when its allowance would be whole again. A hit moves it one interval
    later; a hit is refused when that would put it more than ``rate.seconds`` ahead of now.
    A client whose TAT has passed is back to a full allowance, the same as one never seen,
    so it is forgotten: memory holds only clients that spent some allowance recently.
    Nothing here awaits, so each hit is atomic on one event loop.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._clock = clock
        # Least recently hit first: the first entries are the likeliest to be idle.
        self._arrivals: OrderedDict[str, float] = OrderedDict()

    async def start(self) -> None:
        """Nothing to open."""

    async def hit(self, client_key: str) -> RateDecision:
        now = self._clock()
        self._sweep(now)
        arrival = max(self._arrivals.get(client_key, now), now)
        after = arrival + self._rate.interval
        allowed_from = after - self._rate.seconds
        if now < allowed_from:
            return RateDecision(False, allowed_from - now)
        self._arrivals[client_key] = after
        self._arrivals.move_to_end(client_key)
        return RateDecision(True)

    async def close(self) -> None:
        self._arrivals.clear()

    def _sweep(self, now: float) -> None:
        for _ in range(_SWEEP):
            if not self._arrivals:
                return
            key, arrival = next(iter(self._arrivals.items()))
            if arrival > now:
                return
            del self._arrivals[key]

    def __len__(self) -> int:
        """Clients currently remembered (for tests of the memory bound)."""
        return len(self._arrivals)
