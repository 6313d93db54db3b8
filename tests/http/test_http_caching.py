"""HTTP caching of the search-like reads: a weak ``ETag``, ``Cache-Control``, and 304s.

``GET /movies``, ``/movies/suggest`` and ``/genres`` carry a weak ``ETag`` (a digest of the
answer) and ``Cache-Control: public, max-age=N``; a matching ``If-None-Match`` is a 304 with
both and no body. Each behaviour is checked on the fast path and on the routes (the fast path
stood aside), on every profile; errors never carry public caching.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from filmflare.application.cache_keys import SEARCH_GENERATION
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.errors import BackendUnavailable
from filmflare.entrypoints.http.app import create_app
from tests.http.conftest import (
    answered_in_front,
    assert_problem,
    bearer,
    create,
    fast_path_aside,
    settings_for,
)

pytestmark = pytest.mark.anyio
WEAK_TAG = re.compile(r'W/"[A-Za-z0-9_-]{16}"')
DEFAULT_CONTROL = "public, max-age=5"
#: A read of each search-like route whose answer the movies below make non-empty.
READS = [
    ("/movies", "/movies?genre=action&sort=title"),
    ("/movies/suggest", "/movies/suggest?q=he"),
    ("/genres", "/genres"),
]
PATHS = ["fast", "route"]


@contextlib.contextmanager
def path_taken(app: FastAPI, path: str) -> Iterator[None]:
    """``fast``: as served; ``route``: every request goes to FastAPI's routes."""
    if path == "fast":
        yield
        return
    with fast_path_aside(app):
        yield


def seen(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    """What a client sees of an answer, less what always varies."""
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k not in {"x-request-id", "date"}
    ]
    return response.status_code, response.content, headers


def caching_of(response: httpx.Response) -> tuple[str | None, str | None]:
    return response.headers.get("etag"), response.headers.get("cache-control")


@pytest.fixture
async def movies(client: httpx.AsyncClient, container: Container) -> list[dict[str, Any]]:
    """Two action movies and a drama, indexed."""
    found = [
        await create(client, title="Heat", genres=["Action", "Crime"], year=1995),
        await create(client, title="Hero", genres=["Action"], year=2002, votes=10),
        await create(client, title="Amour", genres=["Drama"], year=2012, votes=5),
    ]
    await container.indexer.catch_up()
    return found


async def revalidated(client: httpx.AsyncClient, target: str) -> list[httpx.Response]:
    """A read, then ten more with the ETag it gave, spelled every way (GET and HEAD); and
    one that names other tags only, and a HEAD without any (the last two)."""
    first = await client.get(target)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    opaque = tag.removeprefix("W/")
    held = [
        await client.get(target, headers={"If-None-Match": value})
        for value in (tag, opaque, f'"nope", {tag}', f'W/"nope",,{opaque} ', "*")
    ]
    held.append(
        await client.get(target, headers=[("If-None-Match", '"a"'), ("If-None-Match", tag)])
    )
    held.append(await client.head(target, headers={"If-None-Match": tag}))
    other = await client.get(target, headers={"If-None-Match": 'W/"nope", "1"'})
    return [first, *held, other, await client.head(target)]


@pytest.mark.parametrize("path", PATHS)
async def test_a_repeated_read_is_a_304_to_its_etag(
    app: FastAPI, client: httpx.AsyncClient, movies: list[dict[str, Any]], path: str
) -> None:
    for route, target in READS:
        before = answered_in_front(app, route)
        with path_taken(app, path):
            first, *held, other, head = await revalidated(client, target)

        tag, control = caching_of(first)
        assert tag is not None
        assert WEAK_TAG.fullmatch(tag), tag
        assert control == DEFAULT_CONTROL
        assert first.json()
        not_modified = (304, b"", [("etag", tag), ("cache-control", DEFAULT_CONTROL)])
        assert [seen(response) for response in held] == [not_modified] * len(held), target
        assert seen(other) == seen(first)
        assert seen(head)[2] == seen(first)[2]  # the same headers, the length included
        assert head.content == b""
        in_front = 2 + len(held) + 1 if path == "fast" else 0
        assert answered_in_front(app, route) - before == in_front


async def test_both_paths_give_the_same_tag_and_the_same_304(
    app: FastAPI, client: httpx.AsyncClient, container: Container, movies: list[dict[str, Any]]
) -> None:
    for _, target in READS:
        fast = await revalidated(client, target)
        await container.search_movies._cache.invalidate(SEARCH_GENERATION)  # the route computes
        with path_taken(app, "route"):
            routed = await revalidated(client, target)

        assert [seen(r) for r in routed] == [seen(f) for f in fast], target


@pytest.mark.parametrize("path", PATHS)
async def test_a_write_that_changes_the_answers_retires_their_etags_once_indexed(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movies: list[dict[str, Any]],
    path: str,
) -> None:
    heat = f"/movies/{movies[0]['id']}"
    patch = {"title": "Hex", "genres": ["Action", "Western"]}
    writes: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "post": lambda: client.post(
            "/movies", json={"title": "Hellboy", "genres": ["Action"]}, headers=bearer()
        ),
        "patch": lambda: client.patch(heat, json=patch, headers=bearer()),
        "delete": lambda: client.delete(heat, headers=bearer()),
    }
    with path_taken(app, path):
        for write, send in writes.items():
            old = {target: await client.get(target) for _, target in READS}
            for target, answer in old.items():
                held = await client.get(target, headers={"If-None-Match": answer.headers["etag"]})
                assert held.status_code == 304, (write, target)
            assert (await send()).status_code in (200, 201, 204), write
            await container.indexer.catch_up()  # what follows every write within a second

            for target, answer in old.items():
                tag = answer.headers["etag"]
                after = await client.get(target, headers={"If-None-Match": tag})
                new_tag = after.headers["etag"]
                held = await client.get(target, headers={"If-None-Match": new_tag})

                assert after.status_code == 200, (write, target, after.text)
                assert after.content != answer.content, (write, target)
                assert new_tag != tag, (write, target)
                assert WEAK_TAG.fullmatch(new_tag), (write, target)
                assert held.status_code == 304, (write, target)


async def test_a_write_retires_the_etag_within_the_second_search_takes(
    app: FastAPI, client: httpx.AsyncClient, movies: list[dict[str, Any]]
) -> None:
    target = "/movies?genre=action&sort=title"
    tag = (await client.get(target)).headers["etag"]
    patched = await client.patch(
        f"/movies/{movies[1]['id']}", json={"title": "Heroes"}, headers=bearer()
    )
    assert patched.status_code == 200

    async def changed() -> httpx.Response | None:
        response = await client.get(target, headers={"If-None-Match": tag})
        assert response.status_code in (200, 304), response.text
        return response if response.status_code == 200 else None

    found = None
    with anyio.move_on_after(2.0):  # the contract's second, and as much again for the test
        while (found := await changed()) is None:  # noqa: ASYNC110 - polling the API is the point
            await anyio.sleep(0.02)

    assert found is not None, "the old ETag still matched two seconds after the write"
    assert [m["title"] for m in found.json()["results"]] == ["Heat", "Heroes"]
    assert (await client.get(target, headers={"If-None-Match": tag})).status_code == 200


@pytest.mark.parametrize("path", PATHS)
async def test_a_write_that_leaves_the_answer_byte_identical_keeps_its_etag(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    movies: list[dict[str, Any]],
    path: str,
) -> None:
    target = "/movies?genre=action&sort=title"
    with path_taken(app, path):
        tag = (await client.get(target)).headers["etag"]
        amour = f"/movies/{movies[2]['id']}"  # a drama: in no answer of that search
        patched = await client.patch(amour, json={"votes": 6}, headers=bearer())
        await container.indexer.catch_up()  # retires every cached search
        again = await client.get(target, headers={"If-None-Match": tag})

    assert patched.status_code == 200
    assert seen(again) == (304, b"", [("etag", tag), ("cache-control", DEFAULT_CONTROL)])


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    container = build(settings)
    app = create_app(container)
    async with app.router.lifespan_context(app):
        await container.init()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await create(client, title="Heat", genres=["Action"])
            await container.indexer.catch_up()
            yield app, client


@pytest.mark.parametrize(
    ("max_age", "control"),
    [(0, "no-cache"), (1, "public, max-age=1"), (3600, "public, max-age=3600")],
)
async def test_max_age_follows_the_setting(tmp_path: Path, max_age: int, control: str) -> None:
    settings = settings_for("embedded", tmp_path).model_copy(update={"http_max_age": max_age})
    async with serving(settings) as (app, client):
        answers = []
        for path in PATHS:
            with path_taken(app, path):
                for _, target in READS:
                    answer = await client.get(target)
                    held = await client.get(target, headers={"If-None-Match": "*"})
                    answers += [answer, held]

    assert [(a.status_code, a.headers.get("cache-control")) for a in answers] == [
        (200, control),
        (304, control),
    ] * len(PATHS) * len(READS)


@pytest.mark.parametrize("value", ["-1", "86401", "5s", "1.5"])
def test_the_max_age_setting_is_checked(value: str) -> None:
    with pytest.raises(ValidationError, match="http_max_age"):
        Settings(http_max_age=value)  # as read from the environment


def test_the_max_age_setting_defaults_to_five_seconds(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).http_max_age == 5
    assert Settings(http_max_age="0").http_max_age == 0


@pytest.mark.parametrize("profile", ["embedded"])  # how a problem is made is no backend's
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("target", "headers", "status"),
    [
        ("/movies?genre=action&bogus=1", {}, 422),
        ("/movies?cursor=nonsense", {}, 400),
        ("/movies?genre=action", {"If-None-Match": "abc"}, 400),
        ("/movies/suggest?q=he&limit=99", {}, 422),
        ("/movies/suggest?q=he", {"If-None-Match": 'W/"a" "b"'}, 400),
        ("/genres?q=x", {}, 422),
        ("/genres", {"If-None-Match": "W/abc"}, 400),
        ("/movies/0000000000000000", {}, 404),
    ],
)
async def test_errors_carry_no_public_caching(
    app: FastAPI,
    client: httpx.AsyncClient,
    movies: list[dict[str, Any]],
    target: str,
    headers: dict[str, str],
    status: int,
    path: str,
) -> None:
    with path_taken(app, path):
        await client.get(target.split("?")[0])  # the valid read cached first
        response = await client.get(target, headers=headers)

    assert_problem(response, status)
    assert "etag" not in response.headers
    assert "public" not in response.headers.get("cache-control", "")


@pytest.mark.parametrize("path", PATHS)
async def test_a_search_the_engine_cannot_answer_carries_no_caching(
    app: FastAPI,
    client: httpx.AsyncClient,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    async def down(*args: object) -> None:
        raise BackendUnavailable("search", "the engine is down on purpose")

    monkeypatch.setattr(container.index, "search", down)
    with path_taken(app, path):
        response = await client.get("/movies?q=never+cached", headers={"If-None-Match": "*"})

    assert_problem(response, 503)
    assert caching_of(response) == (None, None)


async def test_a_read_refused_by_the_rate_limit_carries_no_caching(tmp_path: Path) -> None:
    settings = settings_for("embedded", tmp_path).model_copy(update={"rate_limit": "2/60"})
    async with serving(settings) as (_app, client):  # the writer is another client
        answers = [await client.get("/genres") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert caching_of(answers[-1]) == (None, None)
