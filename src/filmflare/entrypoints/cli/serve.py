"""``filmflare serve`` and ``filmflare token``: run the HTTP API, mint a development token."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from filmflare.bootstrap import Container, mint_development_token
from filmflare.entrypoints.cli import workers
from filmflare.entrypoints.http.server.limits import ServerLimits
from filmflare.entrypoints.http.server.open_files import raise_open_files_limit
from filmflare.entrypoints.http.server.protocol import http_protocol

APP_FACTORY = "filmflare.entrypoints.http.app:app_from_environment"
DEFAULT_SCOPE = "movies:write"


def server_limits(container: Container) -> ServerLimits:
    """What each server process keeps by itself (API.md, Limits), from the settings."""
    settings = container.settings
    return ServerLimits(
        max_connections=settings.max_connections,
        max_header_bytes=settings.max_header_bytes,
        max_headers=settings.max_headers,
        header_timeout_seconds=settings.header_timeout_seconds,
    )


def server_options(container: Container, args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's settings for production: uvloop, httptools with the server's own limits
    (API.md, Limits), the app's own logging."""
    settings = container.settings
    return {
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "workers": workers.resolve(args.workers or settings.workers),
        "factory": True,
        "loop": "uvloop",
        # httptools, bounding header sections and connections; a picklable factory, since
        # uvicorn pickles its configuration into the worker processes it spawns.
        "http": http_protocol(server_limits(container)),
        # Trusting X-Forwarded-* from any peer would let a client forge its address.
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "log_config": None,
        # The app logs every request itself, with its request id: one access line is enough.
        "access_log": False,
        "log_level": settings.log_level,
        "server_header": False,
        "timeout_graceful_shutdown": args.graceful_timeout,
    }


def serve(container: Container, args: argparse.Namespace) -> int:
    # Every worker builds its own container from the environment through the factory; this
    # one only checked the configuration and supplies the defaults.
    raise_open_files_limit(container.settings.max_connections)  # inherited by the workers
    uvicorn.run(APP_FACTORY, **server_options(container, args))
    return 0


def token(container: Container, args: argparse.Namespace) -> int:
    """Print a token; without --scope or --role it grants ``movies:write``."""
    roles: list[str] = args.role or []
    scopes: list[str] = args.scope if args.scope is not None else ([] if roles else [DEFAULT_SCOPE])
    print(mint_development_token(container, args.subject, scopes, roles, args.ttl))
    return 0
