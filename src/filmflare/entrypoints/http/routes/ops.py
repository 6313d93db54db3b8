"""Operations: liveness (``/healthz``), readiness (``/readyz``) and ``/metrics``."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from filmflare.domain.query_params import reject_params
from filmflare.entrypoints.http import fragments as doc
from filmflare.entrypoints.http.deps import ContainerDep
from filmflare.entrypoints.http.metrics import HttpMetrics
from filmflare.entrypoints.http.problems import problem
from filmflare.entrypoints.http.responses import json_bytes
from filmflare.entrypoints.http.routing import readable

router = APIRouter(tags=["operations"], default_response_class=Response)
_HEALTHY = orjson.dumps({"status": "ok"})


@readable(
    router,
    "/healthz",
    summary="Liveness",
    responses={200: doc.ok("The process serves.", "Health"), **doc.problems(422)},
)
async def healthz(request: Request) -> Response:
    """Touches no backend."""
    reject_params(request.query_params.multi_items())
    return json_bytes(_HEALTHY)


@readable(
    router,
    "/readyz",
    summary="Readiness",
    responses={
        200: doc.ok(
            "The store and the search index answer, and the index has caught up with the"
            " change feed: `status` is `ready`, or `degraded` when only the cache does not"
            " answer (every request is still served, from the backends).",
            "Ready",
        ),
        **doc.problems(
            422,
            503,
            s503="The store or the search index does not answer, or the index is still"
            " catching up with the change feed after a start; `detail` and `checks` name which.",
        ),
    },
)
async def readyz(request: Request, container: ContainerDep) -> Response:
    """Pings the store, the search index and the cache at once, each with a deadline, and
    says which kind of backend each one is."""
    reject_params(request.query_params.multi_items())
    readiness = await container.readiness.execute()
    report: dict[str, object] = {"checks": readiness.checks, "backends": container.backends}
    if not readiness.serving:
        failing = readiness.failing.items()
        detail = "not ready: " + "; ".join(f"{name}: {state}" for name, state in failing)
        return problem(503, detail, extra=report)
    return json_bytes(orjson.dumps({"status": readiness.status, **report}))


@readable(
    router,
    "/metrics",
    summary="Prometheus metrics",
    responses={
        200: {
            "description": "Request count and latency by method, route template and status.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **doc.problems(422),
    },
)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition format."""
    reject_params(request.query_params.multi_items())
    registry: HttpMetrics = request.app.state.metrics
    return Response(registry.render(), media_type=registry.content_type)
