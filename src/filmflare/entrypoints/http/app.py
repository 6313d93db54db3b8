"""The FastAPI application: factory, lifespan and middleware stack.

``create_app(container)`` serves a container built elsewhere (tests pass their own);
``app_from_environment`` is the uvicorn factory ``filmflare serve`` runs in every worker.

An HTTP request enters through the request observer, then the fast path (``fast``), which
answers the catalog reads (searches always, a movie by id when cached) and hands everything
else to FastAPI's own stack.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from filmflare.bootstrap import Container, build_from_environment
from filmflare.entrypoints.http import fragments, logs, openapi, problems
from filmflare.entrypoints.http.fast import FastPath
from filmflare.entrypoints.http.guard import ServerErrorGuard
from filmflare.entrypoints.http.limits import BodyLimit
from filmflare.entrypoints.http.metrics import HttpMetrics
from filmflare.entrypoints.http.observability import RequestObserver
from filmflare.entrypoints.http.rate_limit import rate_limit
from filmflare.entrypoints.http.routes import movies, ops, search


@contextlib.asynccontextmanager
async def _serve(container: Container) -> AsyncIterator[None]:
    """Start the adapters and the indexer, which projects the change feed until shutdown.

    The port opens before the feed's backlog is indexed, however large it is: ``/healthz``
    answers at once, and ``/readyz`` says the index is catching up until it has.
    """
    async with container:
        stopping = asyncio.Event()
        indexer = asyncio.create_task(
            container.indexer.run(container.settings.index_poll_seconds, until=stopping),
            name="indexer",
        )
        try:
            yield
        finally:
            stopping.set()  # ends it even if a library swallows the cancellation
            indexer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await indexer


class FilmFlareApi(FastAPI):
    """FastAPI whose HTTP requests go through ``front`` first, which hands those it does not
    answer itself to ``framework``: FastAPI's middleware, routing and exception handlers."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.front is not None:
            await self.front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def create_app(container: Container) -> FastAPI:
    metrics = HttpMetrics()
    for collector in container.collectors:
        metrics.registry.register(collector)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with _serve(container):
            yield

    app = FilmFlareApi(
        title="FilmFlare",
        version="1.0.0",
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.container = container
    app.state.metrics = metrics
    # The id route matches only well-formed ids (routing.MOVIE_PATH): /movies/suggest is
    # never taken for one, whatever the order.
    # The catalog is rate limited per client; operations (health, readiness, metrics) never.
    limited, too_many = [Depends(rate_limit)], fragments.problems(429)
    app.include_router(search.router, dependencies=limited, responses=too_many)
    app.include_router(movies.router, dependencies=limited, responses=too_many)
    app.include_router(ops.router)
    problems.install(app)
    openapi.install(app)
    # Added last = outermost: the guard turns an unexpected exception into a 500 problem,
    # and the limit applies before any route.
    app.add_middleware(BodyLimit)
    app.add_middleware(ServerErrorGuard)
    # In front of all of FastAPI, which costs several times what a cache hit does: the
    # observer sees every request and final status, then the fast path answers the reads.
    reads = [*search.router.routes, *movies.router.routes]
    fast = FastPath(app.framework, container, reads, metrics.registry)
    app.front = RequestObserver(fast, metrics=metrics)
    return app


def app_from_environment() -> FastAPI:
    """uvicorn factory: configuration from ``FILMFLARE_*`` and ``.env``."""
    container = build_from_environment()
    logs.configure(container.settings.log_level)
    return create_app(container)
