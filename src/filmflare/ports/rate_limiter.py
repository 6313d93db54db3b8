"""How many requests a client may make: a rate with a burst, shared by every replica that
uses the same backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*")


@dataclass(frozen=True, slots=True)
class Rate:
    """``requests`` per ``seconds`` on average, of which all ``requests`` may come at once."""

    requests: int
    seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.seconds <= 0:
            raise ValueError("a rate needs at least 1 request per a positive number of seconds")

    @property
    def interval(self) -> float:
        """Seconds one request uses up of the allowance."""
        return self.seconds / self.requests

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"100/60"``: 100 requests per 60 seconds."""
        match = _RATE.fullmatch(text)
        if match is None:
            raise ValueError(f"a rate is written REQUESTS/SECONDS, like 100/60, not {text!r}")
        return cls(int(match[1]), float(match[2]))


@dataclass(frozen=True, slots=True)
class RateDecision:
    """``allowed``, or refused with the seconds to wait before a request would be allowed."""

    allowed: bool
    retry_after: float = 0.0


class RateLimiter(Protocol):
    """Counts each client's requests against one ``Rate`` (a generic cell rate algorithm).

    - ``hit`` records one request of ``client_key`` and says whether it is allowed. A refused
      request uses up nothing, so a client that waits ``retry_after`` is allowed again.
    - A client may send ``rate.requests`` at once after being idle, then one per
      ``rate.interval``.
    - A limiter whose backend fails raises ``BackendUnavailable``; the caller lets the request
      through (a limiter must not take the service down with it).
    """

    async def hit(self, client_key: str) -> RateDecision: ...

    async def close(self) -> None: ...
