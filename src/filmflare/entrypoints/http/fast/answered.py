"""``filmflare_http_fast_path_answers_total{route}``: what the fast path answered, by route.

Counted as plain integers on the request path and turned into a Prometheus family only when
``/metrics`` is scraped, as the HTTP and Redis metrics are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector


class FastPathAnswers(Collector):
    """``counts[route]``: requests answered in front of the framework (cache hits, search-like
    misses, and those refused by the rate limit) under that route template."""

    def __init__(self, routes: Iterable[str]) -> None:
        self.counts = dict.fromkeys(routes, 0)

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "filmflare_http_fast_path_answers",
            "Requests answered in front of the framework (cache hits, and the search-like"
            " reads cached or not), by route template.",
            labels=["route"],
        )
        for route, count in list(self.counts.items()):
            family.add_metric([route], count)
        yield family
