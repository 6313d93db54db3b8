"""What the memory cache holds, for ``/metrics``: read from the cache when scraped."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from filmflare.adapters.memory.cache import MemoryCache


class MemoryCacheMetrics(Collector):
    def __init__(self, cache: MemoryCache) -> None:
        self._cache = cache

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "filmflare_cache_bytes",
            "Bytes this process's memory cache holds (keys, values and a fixed allowance per "
            "entry), bounded by FILMFLARE_CACHE_MAX_BYTES.",
            value=self._cache.size,
        )
        yield GaugeMetricFamily(
            "filmflare_cache_entries",
            "Responses this process's memory cache holds.",
            value=self._cache.entries,
        )
