"""The fast path: reads answered in front of FastAPI, exactly as the routes answer them.

It answers a movie's cache hits, and every valid search, suggestion and genre count, cached
or not. On every profile a read is sent twice (a miss that fills the cache, then a hit), and a
search-like read a third time with the fast path stood aside, after the cache was retired, so
that the route computes it afresh. ``filmflare_http_fast_path_answers_total`` tells which
path answered; everything the client can see must be the same but the request id and the
date.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from filmflare.application.cache_keys import SEARCH_GENERATION, search_key
from filmflare.application.digests import Digested, digested
from filmflare.application.response_cache import Lookup
from filmflare.bootstrap import Container, build
from filmflare.domain.errors import BackendUnavailable
from filmflare.entrypoints.http.app import create_app
from filmflare.entrypoints.http.fast import reads
from tests.http.conftest import (
    answered_in_front,
    assert_problem,
    bearer,
    create,
    fast_path_aside,
    settings_for,
)
from tests.infra_redis import RedisServer, own_redis

__all__ = ["own_redis"]  # fixtures, used by name
pytestmark = pytest.mark.anyio
REQUESTS = "filmflare_http_requests_total"
# What differs between any two answers, whichever path gives them.
VARYING = {"x-request-id", "date"}
MOVIE_ROUTE = "/movies/{movie_id}"
#: Answered in front whether cached or not; a movie by id only when cached.
SEARCH_LIKE = {"/movies", "/movies/suggest", "/genres"}
READS = [
    ("/movies", "/movies?q=heat&genre=action"),
    ("/movies", "/movies?genre=Crime&facets=genres,decade&sort=-rating&per_page=5"),
    ("/movies", "/movies"),
    ("/movies/suggest", "/movies/suggest?q=he&limit=5"),
    ("/genres", "/genres"),
    (MOVIE_ROUTE, "/movies/{id}"),
]


@contextlib.asynccontextmanager
async def serving(container: Container) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app of ``container``, started and initialised, with a client."""
    app = create_app(container)
    async with app.router.lifespan_context(app):
        await container.init()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client


def counted(app: FastAPI, method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return float(app.state.metrics.registry.get_sample_value(REQUESTS, labels) or 0)


def visible(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    """What a client sees of an answer, headers in order, less what always varies."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in VARYING]
    return response.status_code, response.content, headers


def caches(profile: str) -> bool:
    return profile != "embedded-no-cache"


@pytest.fixture
async def movie(client: httpx.AsyncClient, container: Container) -> dict[str, Any]:
    """A movie, indexed: no generation bump will come between two reads of a test."""
    created = await create(client, title="Heat", genres=["Action", "Crime"], year=1995)
    await create(client, title="Hero", genres=["Action"], year=2002, votes=10)
    await container.indexer.catch_up()
    return created


@pytest.mark.parametrize(("route", "target"), READS)
async def test_a_read_is_answered_in_front_exactly_as_the_route_answers(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movie: dict[str, Any],
    profile: str,
    route: str,
    target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = target.format(id=movie["id"])
    before, counted_before = answered_in_front(app, route), counted(app, "GET", route, 200)

    with caplog.at_level(logging.INFO, logger="filmflare.access"):
        miss = await client.get(url, headers={"X-Request-ID": "the-miss"})
        hit = await client.get(url)
        answers = [miss, hit]
        if route in SEARCH_LIKE:
            await container.search_movies._cache.invalidate(SEARCH_GENERATION)
            with fast_path_aside(app):
                answers.append(await client.get(url))  # the route's own miss

    assert miss.status_code == 200, miss.text
    assert [visible(answer) for answer in answers] == [visible(miss)] * len(answers)
    assert miss.headers["x-request-id"] == "the-miss"
    assert hit.headers["x-request-id"] not in ("", "the-miss")
    in_front = 2 if route in SEARCH_LIKE else (1 if caches(profile) else 0)
    assert answered_in_front(app, route) - before == in_front
    assert counted(app, "GET", route, 200) - counted_before == len(answers)
    lines = [r.__dict__ for r in caplog.records if r.name == "filmflare.access"]
    path = url.split("?")[0]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", path, 200)
    ] * len(answers)
    assert [line["request_id"] for line in lines][:2] == [
        "the-miss",
        hit.headers["x-request-id"],
    ]


@pytest.mark.parametrize(("route", "target"), READS)
async def test_head_is_answered_in_front_as_the_route_answers_it(
    app: FastAPI,
    client: httpx.AsyncClient,
    movie: dict[str, Any],
    profile: str,
    route: str,
    target: str,
) -> None:
    url = target.format(id=movie["id"])
    before = answered_in_front(app, route)

    miss = await client.head(url)
    hit = await client.head(url)
    got = await client.get(url)

    assert visible(hit) == visible(miss)
    in_front = 3 if route in SEARCH_LIKE else (2 if caches(profile) else 0)  # the GET too
    assert answered_in_front(app, route) - before == in_front
    assert int(hit.headers["content-length"]) == len(got.content)
    assert counted(app, "HEAD", route, 200) == 2


async def test_if_none_match_is_a_304_on_both_paths(
    app: FastAPI, client: httpx.AsyncClient, movie: dict[str, Any], profile: str
) -> None:
    url = f"/movies/{movie['id']}"
    before = answered_in_front(app, MOVIE_ROUTE)

    held = [await client.get(url, headers={"If-None-Match": '"1"'}) for _ in range(2)]
    weak = await client.get(url, headers={"If-None-Match": 'W/"1"'})
    listed = await client.get(url, headers=[("If-None-Match", '"7"'), ("If-None-Match", '"1"')])
    anything = await client.get(url, headers={"If-None-Match": "*"})
    other = await client.get(url, headers={"If-None-Match": '"2", "3"'})

    assert [r.status_code for r in (*held, weak, listed, anything)] == [304] * 5
    assert visible(held[1]) == visible(held[0]) == (304, b"", [("etag", '"1"')])
    assert visible(weak) == visible(listed) == visible(anything) == visible(held[0])
    assert other.status_code == 200
    assert other.json()["id"] == movie["id"]
    assert answered_in_front(app, MOVIE_ROUTE) - before == (5 if caches(profile) else 0)


@pytest.mark.parametrize(
    ("route", "cached", "bad", "status"),
    [
        ("/movies", "/movies?q=heat", "/movies?q=heat&bogus=1", 422),
        ("/movies", "/movies?q=heat", "/movies?q=heat&q=other", 422),
        ("/movies", "/movies?q=heat", "/movies?q=heat&per_page=0", 422),
        ("/movies", "/movies?q=heat", "/movies?q=heat&year_from=2000&year_to=1990", 422),
        ("/movies", "/movies?q=heat", "/movies?q=heat&page=10000&per_page=100", 400),
        ("/movies", "/movies?q=heat", "/movies?q=heat&cursor=nonsense", 400),
        ("/movies/suggest", "/movies/suggest?q=he", "/movies/suggest?q=he&limit=21", 422),
        ("/genres", "/genres", "/genres?q=x", 422),
        (MOVIE_ROUTE, "/movies/{id}", "/movies/{id}?q=x", 422),
    ],
)
async def test_a_bad_request_for_a_cached_answer_is_the_route_s_error(
    app: FastAPI,
    client: httpx.AsyncClient,
    movie: dict[str, Any],
    route: str,
    cached: str,
    bad: str,
    status: int,
) -> None:
    cached, bad = cached.format(id=movie["id"]), bad.format(id=movie["id"])
    refused = await client.get(bad)  # before anything is cached
    await client.get(cached)
    await client.get(cached)
    before = answered_in_front(app, route)

    again = await client.get(bad)

    assert_problem(again, status)
    assert visible(again) == visible(refused)
    assert answered_in_front(app, route) == before


async def test_a_malformed_if_none_match_is_the_route_s_400(
    app: FastAPI, client: httpx.AsyncClient, movie: dict[str, Any]
) -> None:
    url = f"/movies/{movie['id']}"
    await client.get(url)
    before = answered_in_front(app, MOVIE_ROUTE)

    response = await client.get(url, headers={"If-None-Match": "1"})

    assert_problem(response, 400)
    assert answered_in_front(app, MOVIE_ROUTE) == before


async def test_a_request_with_a_body_goes_to_the_route(
    app: FastAPI, client: httpx.AsyncClient, movie: dict[str, Any], profile: str
) -> None:
    url = f"/movies/{movie['id']}"
    await client.get(url)
    before = answered_in_front(app, MOVIE_ROUTE)

    response = await client.request("GET", url, content=b"{}")

    assert response.status_code == 200
    assert response.json()["id"] == movie["id"]
    assert answered_in_front(app, MOVIE_ROUTE) == before


async def test_a_failure_in_front_leaves_the_request_to_the_route(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movie: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"/movies/{movie['id']}"
    expected = await client.get(url)

    async def broken(movie_id: str) -> None:
        raise RuntimeError("a bug in front")

    monkeypatch.setattr(container.get_movie, "cached", broken)
    before = answered_in_front(app, MOVIE_ROUTE)
    with caplog.at_level(logging.ERROR, logger="filmflare.http"):
        response = await client.get(url)

    assert visible(response) == visible(expected)
    assert answered_in_front(app, MOVIE_ROUTE) == before
    assert any(r.exc_info and "a bug in front" in str(r.exc_info[1]) for r in caplog.records)


async def test_a_write_is_never_followed_by_a_stale_read(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movie: dict[str, Any],
    profile: str,
) -> None:
    url = f"/movies/{movie['id']}"
    await client.get(url)
    assert (await client.get(url)).json()["votes"] == movie["votes"]

    patched = await client.patch(url, json={"votes": 7}, headers=bearer())
    read = await client.get(url)
    before = answered_in_front(app, MOVIE_ROUTE)
    again = await client.get(url, headers={"If-None-Match": '"1"'})

    assert patched.status_code == 200
    assert (read.headers["etag"], read.json()["votes"]) == ('"2"', 7)
    assert (again.status_code, again.headers["etag"]) == (200, '"2"')
    assert answered_in_front(app, MOVIE_ROUTE) - before == (1 if caches(profile) else 0)
    assert (await client.delete(url, headers=bearer())).status_code == 204
    assert_problem(await client.get(url), 404)
    assert_problem(await client.get(url), 404)


async def test_a_search_cached_before_a_write_is_retired_once_indexed(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movie: dict[str, Any],
) -> None:
    url = "/movies?genre=action&sort=title"
    await client.get(url)
    cached = await client.get(url)
    await client.patch(f"/movies/{movie['id']}", json={"title": "Heat 2"}, headers=bearer())
    await container.indexer.catch_up()  # what follows every write within a second

    response = await client.get(url)

    assert response.status_code == 200
    assert [m["title"] for m in cached.json()["results"]] == ["Heat", "Hero"]
    assert [m["title"] for m in response.json()["results"]] == ["Heat 2", "Hero"]


async def test_a_search_the_engine_cannot_answer_is_the_route_s_problem(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movie: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def down(*args: object) -> None:
        raise BackendUnavailable("search", "the engine is down on purpose")

    monkeypatch.setattr(container.index, "search", down)
    url = "/movies?q=never+cached"
    before = answered_in_front(app, "/movies")
    in_front = await client.get(url)
    with fast_path_aside(app):
        routed = await client.get(url)

    assert_problem(in_front, 503)
    assert visible(in_front) == visible(routed)
    assert answered_in_front(app, "/movies") == before + 1


@pytest.mark.parametrize("limited", ["embedded", pytest.param("redis", marks=pytest.mark.infra)])
async def test_the_rate_limit_applies_in_front(
    tmp_path: Path, limited: str, request: pytest.FixtureRequest
) -> None:
    settings = settings_for(limited, tmp_path, request).model_copy(update={"rate_limit": "3/60"})
    async with serving(build(settings)) as (app, client):
        movie = await create(client)  # the token's subject: another client than this address
        url = f"/movies/{movie['id']}"
        answers = [await client.get(url) for _ in range(4)]  # a miss, 2 hits, a refused hit
        search = await client.get("/movies?q=heat")  # a miss: refused in front, not run
        uncached = await client.get("/genres?bogus=1")  # the route refuses it before parsing

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answered_in_front(app, MOVIE_ROUTE) == 3
    assert answered_in_front(app, "/movies") == 1
    assert_problem(search, 429)
    assert [k for k, _ in visible(search)[2]] == [k for k, _ in visible(answers[-1])[2]]
    refused = assert_problem(answers[-1], 429)
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 20
    assert counted(app, "GET", MOVIE_ROUTE, 429) == 1
    # The route refuses a request the same way (its detail names the seconds to wait).
    slow = assert_problem(uncached, 429)
    assert {k: v for k, v in refused.items() if k != "detail"} == {
        k: v for k, v in slow.items() if k != "detail"
    }
    assert [k for k, _ in visible(answers[-1])[2]] == [k for k, _ in visible(uncached)[2]]


@pytest.mark.infra
async def test_a_cache_that_does_not_answer_leaves_the_reads_to_the_routes(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    settings = settings_for("embedded", tmp_path).model_copy(
        update={"cache": "redis", "redis_url": own_redis.url}
    )
    async with serving(build(settings)) as (app, client):
        movie = await create(client)
        url = f"/movies/{movie['id']}"
        await client.get(url)
        await client.get(url)
        own_redis.stop()
        answers = [await client.get(url) for _ in range(3)]

    assert [a.status_code for a in answers] == [200] * 3
    assert {a.json()["id"] for a in answers} == {movie["id"]}
    assert answered_in_front(app, MOVIE_ROUTE) == 1  # before the stop only


def test_query_strings_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "REMEMBERED", 2)
    planned: list[str] = []

    async def nothing(seen: Lookup) -> Digested:
        return digested(b"")

    def plan(params: list[tuple[str, str]]) -> reads.Plan:
        planned.append(params[0][1])
        return reads.Plan(search_key("test", params[0][1]), nothing)

    async def nothing_cached(key: str) -> Lookup:
        return Lookup(None, None, answered=True)

    answers = reads.CachedAnswer("/test", plan, nothing_cached, b"no-cache")
    for query in (b"q=a", b"q=b", b"q=a", b"q=c", b"q=a", b"q=b"):
        answers.plan(query)

    # a and b are remembered; c pushes a out, a pushes b out.
    assert planned == ["a", "b", "c", "a", "b"]
    found = answers.plan(b"q=b")
    assert found is not None
    assert found.key == search_key("test", "b")
