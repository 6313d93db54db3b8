"""In-process caches: ``MemoryCache`` (``FILMFLARE_CACHE=memory``) and ``NoCache`` (``none``)."""

from filmflare.adapters.memory.cache import MemoryCache
from filmflare.adapters.memory.none import NoCache

__all__ = ["MemoryCache", "NoCache"]
