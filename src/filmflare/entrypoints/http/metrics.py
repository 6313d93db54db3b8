"""Prometheus metrics of the HTTP edge, in a registry of their own per app.

A registry per app (not the process-global one) lets tests build many apps in one process,
and keeps ``/metrics`` to what this service measures.

As with the Redis metrics, plain numbers are counted on the request path and the Prometheus
families are only built when ``/metrics`` is scraped: a labelled ``Counter`` or ``Histogram``
takes a label lookup and a lock per update, which on a cache hit costs as much as the answer.
One event loop updates them; a scrape copies them first.

Beside them, ``filmflare_http_connections_refused_total`` counts what the HTTP server refused
before any app saw it. The server's counts are per process, as one server runs per process.
"""

from __future__ import annotations

import itertools
import time
from bisect import bisect_left
from collections.abc import Iterator, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

from filmflare.entrypoints.http.server.refusals import REASONS, REFUSED

LABELS = ("method", "route", "status")
UNMATCHED_ROUTE = "<unmatched>"
# Latency buckets in seconds: most answers take milliseconds, search may take longer.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The "le" labels, written as prometheus_client writes them.
_BOUNDS = [*(repr(bound) for bound in BUCKETS), "+Inf"]


class _Series:
    """One label set: how many requests fell in each latency bucket (not cumulative; the last
    is +Inf), their latency sum, and when the set was first seen."""

    __slots__ = ("buckets", "created", "seconds")

    def __init__(self) -> None:
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.seconds = 0.0
        self.created = time.time()


class HttpMetrics(Collector):
    """Request count and latency by method, route template and status."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, int], _Series] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(self)
        self.registry.register(ConnectionRefusals(REFUSED))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[method, route, status] = _Series()
        series.buckets[bisect_left(BUCKETS, seconds)] += 1  # buckets hold values <= bound
        series.seconds += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "filmflare_http_requests", "HTTP requests answered.", labels=LABELS
        )
        latency = HistogramMetricFamily(
            "filmflare_http_request_duration_seconds",
            "Time from receiving a request to finishing its response.",
            labels=LABELS,
        )
        for (method, route, status), series in list(self._series.items()):
            labels = [method, route, str(status)]
            counts = list(itertools.accumulate(series.buckets))
            requests.add_metric(labels, counts[-1], created=series.created)
            latency.add_metric(labels, list(zip(_BOUNDS, counts, strict=True)), series.seconds)
            created = dict(zip(LABELS, labels, strict=True))
            latency.samples.append(Sample(latency.name + "_created", created, series.created))
        yield requests
        yield latency

    def render(self) -> bytes:
        return generate_latest(self.registry)


class ConnectionRefusals(Collector):
    """What the server process refused or closed before any request reached the app, by
    reason (``server.refusals``): counted by the HTTP protocol, read here when scraped."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        refused = CounterMetricFamily(
            "filmflare_http_connections_refused",
            "Connections closed to protect the server, by reason: "
            + "; ".join(f"{reason}: {meaning}" for reason, meaning in REASONS.items())
            + ".",
            labels=["reason"],
        )
        for reason, count in list(self._counts.items()):
            refused.add_metric([reason], count)
        yield refused
