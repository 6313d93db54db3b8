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
        200: doc.ok("Every configured backend answers.", "Ready"),
        **doc.problems(
            422, 503, s503="A backend does not answer; `detail` and `checks` name which."
        ),
    },
)
async def readyz(request: Request, container: ContainerDep) -> Response:
    """Pings the store, the search index and the cache at once, each with a deadline, and
    says which kind of backend each one is."""
    reject_params(request.query_params.multi_items())
    checks = await container.readiness.execute()
    report: dict[str, object] = {"checks": checks, "backends": container.backends}
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        detail = "not ready: " + "; ".join(f"{name}: {state}" for name, state in failing.items())
        return problem(503, detail, extra=report)
    return json_bytes(orjson.dumps({"status": "ready", **report}))


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
