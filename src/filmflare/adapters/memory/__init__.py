"""In-process adapters: ``MemoryCache`` (``FILMFLARE_CACHE=memory``), ``NoCache`` (``none``)
and ``MemoryRateLimiter`` (rate limiting without Redis)."""

from filmflare.adapters.memory.cache import MemoryCache
from filmflare.adapters.memory.none import NoCache
from filmflare.adapters.memory.rate_limiter import MemoryRateLimiter

__all__ = ["MemoryCache", "MemoryRateLimiter", "NoCache"]
