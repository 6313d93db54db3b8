"""Every error is a problem: routing errors, backend outages and unexpected exceptions."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from filmflare.bootstrap import Container
from tests.http.conftest import assert_problem, create

pytestmark = pytest.mark.anyio


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/films"), 404)
    assert_problem(await client.get("/movies/"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/movies", {"GET", "HEAD", "POST"}),
        ("POST", "/genres", {"GET", "HEAD"}),
        ("PUT", "/movies/suggest", {"GET", "HEAD"}),
        ("POST", "/movies/0000000000000000", {"GET", "HEAD", "PUT", "PATCH", "DELETE"}),
    ],
)
async def test_wrong_method_is_405_with_allow(
    client: httpx.AsyncClient, method: str, path: str, allowed: set[str]
) -> None:
    response = await client.request(method, path)

    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


async def test_a_store_that_is_down_is_503_with_retry_after(
    client: httpx.AsyncClient, container: Container
) -> None:
    await container.repository.close()

    response = await client.get("/movies/0000000000000000")

    assert "store" in assert_problem(response, 503)["detail"]
    assert int(response.headers["retry-after"]) > 0


async def test_readyz_names_the_failing_backend(
    client: httpx.AsyncClient, container: Container
) -> None:
    await container.repository.close()

    response = await client.get("/readyz")

    problem = assert_problem(response, 503)
    assert "store" in problem["detail"]
    assert problem["checks"]["store"] != "ok"
    assert problem["checks"]["search"] == "ok"
    assert problem["backends"] == container.backends
    assert int(response.headers["retry-after"]) > 0


async def test_an_unexpected_exception_is_a_logged_500_problem(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)

    with caplog.at_level(logging.ERROR, logger="filmflare.http"):
        response = await client.get("/broken", headers={"X-Request-ID": "trace-500"})

    problem = assert_problem(response, 500)
    assert "secret internals" not in problem["detail"]
    assert response.headers["x-request-id"] == "trace-500"
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


async def test_writes_stay_visible_at_once_after_an_error(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)
    path = f"/movies/{movie['id']}"
    await client.get(path)  # fills the cache

    await client.patch(path, json={"votes": 7}, headers=writer)

    assert (await client.get(path)).json()["votes"] == 7
