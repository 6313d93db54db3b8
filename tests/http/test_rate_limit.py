"""Rate limiting through the API: 429 with Retry-After per client, operations exempt."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from filmflare.adapters.redis import RedisConnection, RedisRateLimiter
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.entrypoints.http.app import create_app
from filmflare.ports.rate_limiter import Rate
from tests.http.conftest import SECRET, assert_problem, bearer, mint
from tests.infra_redis import free_port, redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures, used by name
pytestmark = pytest.mark.anyio
LIMIT = 3
CATALOG = ["/movies", "/movies/suggest?q=he", "/genres", "/movies/0123456789abcdef"]
OPERATIONS = ["/healthz", "/readyz", "/metrics"]


def settings(data_dir: Path, **values: Any) -> Settings:
    return Settings(data_dir=data_dir, jwt_secret=SecretStr(SECRET), **values)


@contextlib.asynccontextmanager
async def serving(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container)
    async with app.router.lifespan_context(app):
        yield client_of(app, "198.51.100.7")


def client_of(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(build(settings(tmp_path, rate_limit=f"{LIMIT}/60"))) as client:
        yield client


async def test_a_client_over_the_rate_gets_429_with_retry_after(
    limited: httpx.AsyncClient,
) -> None:
    answers = [await limited.get("/movies") for _ in range(LIMIT + 1)]
    assert [a.status_code for a in answers] == [200] * LIMIT + [429]
    body = assert_problem(answers[-1], 429)
    assert body["type"] == "https://filmflare.dev/problems/rate-limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 20
    assert answers[-1].headers["X-Request-ID"]


async def test_every_catalog_endpoint_counts_and_operations_never_do(
    limited: httpx.AsyncClient,
) -> None:
    statuses = [(await limited.get(path)).status_code for path in CATALOG]
    assert statuses == [200, 200, 200, 429]
    for path in OPERATIONS * 3:
        assert (await limited.get(path)).status_code == 200, path


async def test_writes_are_limited_before_the_token_is_checked(
    limited: httpx.AsyncClient,
) -> None:
    for _ in range(LIMIT):
        await limited.get("/genres", headers=bearer())
    response = await limited.post("/movies", json={"title": "Heat"}, headers=bearer())
    assert_problem(response, 429)


async def test_clients_are_token_subjects_else_addresses(tmp_path: Path) -> None:
    container = build(settings(tmp_path, rate_limit=f"{LIMIT}/60"))
    app = create_app(container)
    async with app.router.lifespan_context(app):
        here, there = client_of(app, "198.51.100.7"), client_of(app, "198.51.100.8")
        alice = {"Authorization": f"Bearer {mint(sub='alice')}"}
        bob = {"Authorization": f"Bearer {mint(sub='bob')}"}
        forged = {"Authorization": "Bearer not.a.token"}
        for _ in range(LIMIT):
            assert (await here.get("/genres", headers=alice)).status_code == 200
        assert (await there.get("/genres", headers=alice)).status_code == 429  # same subject
        assert (await here.get("/genres", headers=bob)).status_code == 200
        for _ in range(LIMIT):
            assert (await here.get("/genres")).status_code == 200  # this address, no token
        assert (await here.get("/genres", headers=forged)).status_code == 429  # same address
        assert (await there.get("/genres")).status_code == 200


async def test_no_limit_when_unset(tmp_path: Path) -> None:
    async with serving(build(settings(tmp_path))) as client:
        statuses = {(await client.get("/genres")).status_code for _ in range(3 * LIMIT)}
    assert statuses == {200}


async def test_the_openapi_document_declares_429_on_the_catalog_only(
    limited: httpx.AsyncClient,
) -> None:
    paths = (await limited.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        for operation in operations.values():
            declared = "429" in operation["responses"]
            assert declared == (path not in OPERATIONS), path
            if declared:
                assert "Retry-After" in operation["responses"]["429"]["headers"]


async def test_a_limiter_that_does_not_answer_lets_requests_through(
    tmp_path: Path, redis_prefix: str
) -> None:
    dead = RedisConnection(f"redis://127.0.0.1:{free_port()}/0")
    limiter = RedisRateLimiter(dead, Rate(1, 60), redis_prefix)
    async with serving(build(settings(tmp_path), rate_limiter=limiter)) as client:
        statuses = {(await client.get("/genres")).status_code for _ in range(5)}
    assert statuses == {200}


@pytest.mark.infra
async def test_replicas_on_one_redis_share_each_client_count(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    shared: dict[str, Any] = {"cache": "redis", "redis_url": redis_url}
    shared |= {"redis_prefix": redis_prefix, "redis_timeout_seconds": 1.0}
    one = build(settings(tmp_path / "one", rate_limit=f"{LIMIT}/60", **shared))
    two = build(settings(tmp_path / "two", rate_limit=f"{LIMIT}/60", **shared))
    async with serving(one) as first, serving(two) as second:
        statuses = [(await (first, second)[n % 2].get("/genres")).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
