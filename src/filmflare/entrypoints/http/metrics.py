"""Prometheus metrics of the HTTP edge, in a registry of their own per app.

A registry per app (not the process-global one) lets tests build many apps in one process,
and keeps ``/metrics`` to what this service measures.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

LABELS = ("method", "route", "status")
UNMATCHED_ROUTE = "<unmatched>"
# Latency buckets in seconds: most answers take milliseconds, search may take longer.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """Request count and latency by method, route template and status."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "filmflare_http_requests",
            "HTTP requests answered.",
            LABELS,
            registry=self.registry,
        )
        self._latency = Histogram(
            "filmflare_http_request_duration_seconds",
            "Time from receiving a request to finishing its response.",
            LABELS,
            buckets=BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self._requests.labels(*labels).inc()
        self._latency.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
