"""The limits a server process keeps by itself, as ``filmflare serve`` hands them to uvicorn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Per worker process; plain and frozen, so uvicorn can pickle it into each worker.

    The values and their defaults come from the settings: ``FILMFLARE_MAX_CONNECTIONS``,
    ``FILMFLARE_MAX_HEADER_BYTES``, ``FILMFLARE_MAX_HEADERS`` and
    ``FILMFLARE_HEADER_TIMEOUT_SECONDS``.
    """

    #: Open connections; past it the longest idle one is closed, or the new one if none is idle.
    max_connections: int
    #: Bytes of a request's header section, request line included; past it, 431.
    max_header_bytes: int
    #: Header fields of a request; past it, 431.
    max_headers: int
    #: From connecting, or from the end of the previous response, to the end of the headers.
    header_timeout_seconds: float
