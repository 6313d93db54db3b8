"""``RateLimiter`` on Redis: one limit per client across every replica.

The generic cell rate algorithm runs as one Lua script on the server's clock, so replicas with
skewed clocks still agree, and each client costs one key that expires once its allowance is
whole again.
"""

from __future__ import annotations

import math

from filmflare.adapters.redis import scripts
from filmflare.adapters.redis.connection import RedisConnection
from filmflare.ports.rate_limiter import Rate, RateDecision

_RATE = scripts.LuaScript(scripts.RATE)
_MICROS = 1_000_000


class RedisRateLimiter:
    """Keys ``{prefix}rate:{client}``; shares the process's ``RedisConnection`` and breaker."""

    def __init__(self, connection: RedisConnection, rate: Rate, prefix: str = "filmflare:"):
        self._connection = connection
        self._prefix = f"{prefix}rate:"
        interval = max(1, math.ceil(rate.interval * _MICROS))
        self._args: list[bytes | str] = [str(interval), str(math.ceil(rate.seconds * _MICROS))]

    async def start(self) -> None:
        await self._connection.start()

    async def close(self) -> None:
        await self._connection.close()

    async def hit(self, client_key: str) -> RateDecision:
        keys = [self._prefix + client_key]
        allowed, wait = await self._connection.run(
            "rate", lambda client: _RATE(client, keys, self._args)
        )
        return RateDecision(bool(allowed), int(wait) / _MICROS)
