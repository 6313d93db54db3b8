"""Redis adapters (redis-py, asyncio): the shared response cache and the rate limiter.

Both use one ``RedisConnection`` per process: one client, one circuit breaker, one set of
metrics.
"""

from filmflare.adapters.redis.cache import RedisCache
from filmflare.adapters.redis.connection import RedisConnection
from filmflare.adapters.redis.rate_limiter import RedisRateLimiter

__all__ = ["RedisCache", "RedisConnection", "RedisRateLimiter"]
