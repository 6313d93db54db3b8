"""``FastPath``: the ASGI layer in front of FastAPI that answers the reads' cache hits."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from filmflare.application.list_genres import ListGenres
from filmflare.application.response_cache import AnswerKey
from filmflare.bootstrap import Container
from filmflare.domain.errors import RateLimited
from filmflare.domain.query_params import parse_search_params, parse_suggest_params, reject_params
from filmflare.entrypoints.http.fast.answered import FastPathAnswers
from filmflare.entrypoints.http.fast.reads import (
    MOVIE_PREFIX,
    Answer,
    CachedAnswer,
    CachedRead,
    MovieRead,
)
from filmflare.entrypoints.http.problems import on_error
from filmflare.entrypoints.http.rate_limit import rate_limit
from filmflare.entrypoints.http.routing import MovieIdConvertor

log = logging.getLogger("filmflare.http")
_READS = frozenset({"GET", "HEAD"})
_MOVIE_PATH = re.compile(re.escape(MOVIE_PREFIX) + MovieIdConvertor.regex)
# A request with a body is the body limit's and the route's to judge.
_BODY = frozenset({b"content-length", b"transfer-encoding"})


class FastPath:
    """Answers ``GET``/``HEAD`` cache hits of the catalog reads; hands anything else to ``app``.

    ``routes`` are the API's routes: a request answered here is labelled with the one FastAPI
    would have matched, so the observer in front counts and logs it as the same route.
    """

    def __init__(
        self,
        app: ASGIApp,
        container: Container,
        routes: Iterable[BaseRoute],
        registry: CollectorRegistry,
    ) -> None:
        self.app = app
        self._container = container
        search = container.search_movies
        suggest = container.suggest_titles
        genres = container.list_genres
        self._reads: dict[str, CachedRead] = {
            "/movies": CachedAnswer(
                "/movies", lambda p: search.answer_key(parse_search_params(p)), search.cached
            ),
            "/movies/suggest": CachedAnswer(
                "/movies/suggest",
                lambda p: suggest.answer_key(*parse_suggest_params(p)),
                suggest.cached,
            ),
            "/genres": CachedAnswer("/genres", lambda p: _genres_key(genres, p), genres.cached),
        }
        self._movie = MovieRead(container.get_movie)
        templates = [read.template for read in (*self._reads.values(), self._movie)]
        self._routes = _routes_of(routes, templates)
        answers = FastPathAnswers(templates)
        registry.register(answers)
        self._answered = answers.counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = self._read_of(scope)
        if read is not None:
            try:
                answer = await self._answer(read, scope)
            except Exception:  # a bug here must not cost the request: the route answers it
                log.exception("the fast path failed; the route answers instead")
                answer = None
            if answer is not None:
                scope["route"] = self._routes[read.template, scope["method"]]
                self._answered[read.template] += 1
                await send(
                    {
                        "type": "http.response.start",
                        "status": answer.status,
                        "headers": answer.headers,
                    }
                )
                await send({"type": "http.response.body", "body": answer.body})
                return
        await self.app(scope, receive, send)

    def _read_of(self, scope: Scope) -> CachedRead | None:
        if scope["type"] != "http" or scope["method"] not in _READS or scope.get("root_path"):
            return None
        path: str = scope["path"]
        read = self._reads.get(path)
        if read is None and _MOVIE_PATH.fullmatch(path):
            read = self._movie
        return read

    async def _answer(self, read: CachedRead, scope: Scope) -> Answer | None:
        held: list[str] = []
        for name, value in scope["headers"]:
            if name in _BODY:
                return None
            if name == b"if-none-match":
                held.append(value.decode("latin-1"))
        answer = await read.answer(scope, ", ".join(held) if held else None)
        if answer is None or self._container.rate_limiter is None:
            return answer
        # Only a hit counts here: a request handed on is counted by the route, once.
        request = Request(scope)
        try:
            await rate_limit(request, self._container)
        except RateLimited as error:
            return Answer.of(await on_error(request, error))
        return answer


def _genres_key(genres: ListGenres, params: list[tuple[str, str]]) -> AnswerKey:
    reject_params(params)
    return genres.answer_key()


def _routes_of(
    routes: Iterable[BaseRoute], templates: Iterable[str]
) -> dict[tuple[str, str], BaseRoute]:
    """The route of each template and read method; every one must exist."""
    found = {
        (route.path_format, method): route
        for route in routes
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    return {(t, m): found[t, m] for t in templates for m in sorted(_READS)}
