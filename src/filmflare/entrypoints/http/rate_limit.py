"""The rate limit, as a dependency of every catalog route (not of /healthz, /readyz, /metrics).

A client is its verified token's subject, else the address it connects from: an unverified
subject would let a client name a fresh one on every request. A limiter that does not answer
lets the request through, with a log line.
"""

from __future__ import annotations

import contextlib
import logging

from fastapi import Request

from filmflare.domain.errors import BackendUnavailable, RateLimited, Unauthenticated
from filmflare.entrypoints.http.deps import ContainerDep, bearer_token

log = logging.getLogger("filmflare.http")


async def client_key(request: Request, container: ContainerDep) -> str:
    token = bearer_token(request)
    if token is not None:
        with contextlib.suppress(Unauthenticated, BackendUnavailable):
            principal = await container.tokens.verify(token)
            if principal.subject:
                return f"sub:{principal.subject}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


async def rate_limit(request: Request, container: ContainerDep) -> None:
    """429 with ``Retry-After`` once this client is over the rate; nothing when unset."""
    limiter = container.rate_limiter
    if limiter is None:
        return
    try:
        decision = await limiter.hit(await client_key(request, container))
    except BackendUnavailable as error:
        log.warning("rate limit not applied: %s", error)
        return
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
