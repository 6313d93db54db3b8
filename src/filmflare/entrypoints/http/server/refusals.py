"""What the server refused or closed to protect itself, counted per process for ``/metrics``.

The protocol counts here, before any application sees a request; the app's metrics read the
counts when scraped. One uvicorn server runs per process, so these are that worker's counts.
"""

from __future__ import annotations

#: ``reason`` label -> what it counts.
REASONS: dict[str, str] = {
    "header_bytes": "a header section over the byte limit, answered 431",
    "header_fields": "a header section over the field limit, answered 431",
    "header_timeout": "a header section not complete in time, closed (408 when one had begun)",
    "evicted": "an idle connection closed to make room for a new one",
    "all_busy": "a new connection refused (503) because every connection was busy",
}

REFUSED: dict[str, int] = dict.fromkeys(REASONS, 0)
