"""In-process adapters: ``MemoryCache`` (``FILMFLARE_CACHE=memory``) with the ``Generations``
its processes share, ``NoCache`` (``none``) and ``MemoryRateLimiter`` (rate limiting without
Redis)."""

from filmflare.adapters.memory.cache import MemoryCache
from filmflare.adapters.memory.generations import Generations
from filmflare.adapters.memory.metrics import MemoryCacheMetrics
from filmflare.adapters.memory.none import NoCache
from filmflare.adapters.memory.rate_limiter import MemoryRateLimiter

__all__ = ["Generations", "MemoryCache", "MemoryCacheMetrics", "MemoryRateLimiter", "NoCache"]
