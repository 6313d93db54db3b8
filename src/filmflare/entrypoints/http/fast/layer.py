"""``FastPath``: the ASGI layer in front of FastAPI that answers the catalog's reads: every
cache hit, and the searches, suggestions and genre counts the cache does not hold."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import partial

from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from filmflare.application.list_genres import ListGenres
from filmflare.application.search_movies import SearchMovies
from filmflare.application.suggest_titles import SuggestTitles
from filmflare.bootstrap import Container
from filmflare.domain.errors import DomainError, RateLimited
from filmflare.domain.query_params import parse_search_params, parse_suggest_params, reject_params
from filmflare.entrypoints.http.fast.answered import FastPathAnswers
from filmflare.entrypoints.http.fast.reads import (
    MOVIE_PREFIX,
    CachedAnswer,
    CachedRead,
    Missed,
    MovieRead,
    Params,
    Plan,
)
from filmflare.entrypoints.http.problems import on_error, status_of
from filmflare.entrypoints.http.rate_limit import rate_limit
from filmflare.entrypoints.http.responses import Answer, cache_control
from filmflare.entrypoints.http.routing import MovieIdConvertor

log = logging.getLogger("filmflare.http")
_READS = frozenset({"GET", "HEAD"})
_MOVIE_PATH = re.compile(re.escape(MOVIE_PREFIX) + MovieIdConvertor.regex)
# A request with a body is the body limit's and the route's to judge.
_BODY = frozenset({b"content-length", b"transfer-encoding"})


class FastPath:
    """Answers ``GET``/``HEAD`` of the catalog reads; hands anything else to ``app``.

    It answers a movie by id when cached, and a search, suggestion or genre count whether
    cached or not: FastAPI's routing and rendering cost as much as a fast engine's query. A
    request it cannot parse, or one with a body, goes to the route, which answers the error.

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
        control = cache_control(container.settings.http_max_age)
        self._reads: dict[str, CachedRead] = {
            "/movies": CachedAnswer(
                "/movies", partial(_search_plan, search), search.cached, control
            ),
            "/movies/suggest": CachedAnswer(
                "/movies/suggest", partial(_suggest_plan, suggest), suggest.cached, control
            ),
            "/genres": CachedAnswer(
                "/genres", partial(_genres_plan, genres), genres.cached, control
            ),
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
        if answer is None:
            return None
        # Only a request answered here counts here: one handed on is counted by the route.
        if self._container.rate_limiter is not None:
            request = Request(scope)
            try:
                await rate_limit(request, self._container)
            except RateLimited as error:
                return Answer.of(await on_error(request, error))
        if not isinstance(answer, Missed):
            return answer
        try:
            return await answer.compute()
        except DomainError as error:  # the route's problem; anything else goes to the route
            if status_of(error) is None:
                raise
            return Answer.of(await on_error(Request(scope), error))


def _search_plan(search: SearchMovies, params: Params) -> Plan:
    criteria = parse_search_params(params)
    return Plan(search.answer_key(criteria), partial(search.execute, criteria))


def _suggest_plan(suggest: SuggestTitles, params: Params) -> Plan:
    text, limit = parse_suggest_params(params)
    return Plan(suggest.answer_key(text, limit), partial(suggest.execute, text, limit))


def _genres_plan(genres: ListGenres, params: Params) -> Plan:
    reject_params(params)
    return Plan(genres.answer_key(), genres.execute)


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
