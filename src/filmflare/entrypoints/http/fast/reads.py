"""The reads the fast path may answer, each as its route answers it.

Each ``answer`` returns the route's response when the use case finds it in the cache, a
``Missed`` for a search-like miss (the caller runs it, as the route would, once the rate limit
lets it), and None whenever the route might answer anything else: the caller then hands the
request on.

An answer is the two ASGI messages Starlette's ``Response`` sends for the route (the same
status, headers in the same order, body), made without building a ``Response``: on this path
that would cost as much as everything else. A search-like answer, 200 or 304, is made by the
routes' own ``search_like_answer``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from starlette.datastructures import QueryParams
from starlette.types import Scope

from filmflare.application.digests import Digested
from filmflare.application.get_movie import GetMovie
from filmflare.application.response_cache import Lookup
from filmflare.domain.errors import DomainError
from filmflare.entrypoints.http.conditional import HeldTags, etag, if_none_match
from filmflare.entrypoints.http.responses import Answer, json_answer, search_like_answer

Params = list[tuple[str, str]]
MOVIE_PREFIX = "/movies/"
# Query strings remembered per endpoint: far more than the hot ones, and a bounded cost when
# every request brings a new one.
REMEMBERED = 4096


@dataclass(frozen=True, slots=True)
class Missed:
    """A search-like answer the cache did not hold: ``compute()`` runs the route's use case,
    told what the lookup found, so it fills the cache without reading it again, and answers
    as the route does."""

    compute: Callable[[], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a valid query string asks for: where its answer is cached, and the use case that
    makes the answer given what the cache held (``Lookup``)."""

    key: str
    compute: Callable[[Lookup], Awaitable[Digested]]


class CachedRead(Protocol):
    """The reads of one route (its path template) answered in front."""

    template: str

    async def answer(self, scope: Scope, held_tags: str | None) -> Answer | Missed | None:
        """``held_tags``: the request's ``If-None-Match`` values, joined as the route does."""
        ...


def query_params(query: bytes) -> Params:
    """The query string as the routes read it (``request.query_params.multi_items()``)."""
    return QueryParams(query).multi_items()


class CachedAnswer:
    """``/movies``, ``/movies/suggest`` or ``/genres``: the answer to the query, cached or not,
    200 or 304, with the ``Cache-Control`` value ``control``.

    ``plan`` is the route's parsing followed by the use case's ``answer_key``. Its outcome (a
    plan, or None where the route answers an error) depends on the query string alone, so it
    is remembered per query string and a repeated search is not parsed again.
    """

    def __init__(
        self,
        template: str,
        plan: Callable[[Params], Plan],
        cached: Callable[[str], Awaitable[Lookup]],
        control: bytes,
    ) -> None:
        self.template = template
        self._plan = plan
        self._cached = cached
        self._control = control
        self._plans: dict[bytes, Plan | None] = {}

    async def answer(self, scope: Scope, held_tags: str | None) -> Answer | Missed | None:
        plan = self.plan(scope["query_string"])
        if plan is None:
            return None
        try:
            tags = if_none_match(held_tags)
        except DomainError:  # malformed: the route's 400
            return None
        seen = await self._cached(plan.key)
        if seen.answer is None:
            return Missed(partial(self._computed, plan, seen, tags))
        return search_like_answer(Digested.unpack(seen.answer), tags, self._control)

    async def _computed(self, plan: Plan, seen: Lookup, tags: HeldTags | None) -> Answer:
        return search_like_answer(await plan.compute(seen), tags, self._control)

    def plan(self, query: bytes) -> Plan | None:
        if query in self._plans:
            return self._plans[query]
        try:
            plan: Plan | None = self._plan(query_params(query))
        except DomainError:  # the route's 422 or 400
            plan = None
        if len(self._plans) >= REMEMBERED:
            del self._plans[next(iter(self._plans))]  # the oldest
        self._plans[query] = plan
        return plan


class MovieRead:
    """``/movies/{movie_id}``: the cached movie, 200 or 304 with its ``ETag``."""

    template = "/movies/{movie_id}"

    def __init__(self, get_movie: GetMovie) -> None:
        self._get_movie = get_movie

    async def answer(self, scope: Scope, held_tags: str | None) -> Answer | None:
        query = scope["query_string"]
        if query and query_params(query):  # the route's 422
            return None
        try:
            tags = if_none_match(held_tags)
        except DomainError:  # malformed: the route's 400
            return None
        found = await self._get_movie.cached(scope["path"][len(MOVIE_PREFIX) :])
        if found is None:
            return None
        # What routes.movies.get_movie answers.
        tag = [(b"etag", etag(found.version).encode("latin-1"))]
        if tags is not None and tags.matches(str(found.version)):
            return Answer(304, tag)
        return json_answer(found.body, tag)
