"""What the Redis adapters count, exposed to ``/metrics`` as a Prometheus collector.

Plain integers are counted on the request path; the Prometheus families are only built when
``/metrics`` is scraped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from filmflare.adapters.redis.breaker import BreakerState


class RedisMetrics(Collector):
    """Commands by operation and outcome, cache lookups, recoveries and the breaker."""

    def __init__(self, breaker_state: Callable[[], BreakerState], opened: Callable[[], int]):
        self.commands: Counter[tuple[str, str]] = Counter()
        self.lookups: Counter[str] = Counter()
        self.recoveries = 0
        self._breaker_state = breaker_state
        self._opened = opened

    def command(self, operation: str, outcome: str) -> None:
        """``outcome``: ``ok``, ``failed`` (error or timeout) or ``skipped`` (breaker open)."""
        self.commands[operation, outcome] += 1

    def collect(self) -> Iterator[Metric]:
        commands = CounterMetricFamily(
            "filmflare_redis_commands",
            "Redis calls by operation and outcome: ok, failed (error or timeout, the request "
            "went to the backends), skipped (circuit open, the request went to the backends).",
            labels=["operation", "outcome"],
        )
        for (operation, outcome), count in sorted(self.commands.items()):
            commands.add_metric([operation, outcome], count)
        yield commands
        lookups = CounterMetricFamily(
            "filmflare_cache_lookups",
            "Cached responses looked up in Redis: hit, or miss (absent, expired or retired).",
            labels=["result"],
        )
        for result in ("hit", "miss"):
            lookups.add_metric([result], self.lookups[result])
        yield lookups
        yield CounterMetricFamily(
            "filmflare_cache_recoveries",
            "Times this process retired every cached response after losing an invalidation.",
            value=self.recoveries,
        )
        yield GaugeMetricFamily(
            "filmflare_redis_breaker_state",
            "The Redis circuit breaker: 0 closed, 1 half-open, 2 open.",
            value=int(self._breaker_state()),
        )
        yield CounterMetricFamily(
            "filmflare_redis_breaker_opened",
            "Times the Redis circuit breaker opened.",
            value=self._opened(),
        )
