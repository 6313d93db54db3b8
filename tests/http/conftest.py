"""The API through the app itself (httpx over ASGI, lifespan running), once per profile.

A profile is a set of settings overrides; the embedded ones need nothing installed. Tokens are
minted here with PyJWT and the secret the app is configured with.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.errors import BackendUnavailable
from filmflare.entrypoints.http.app import create_app
from tests.infra_moto import dynamo_table, moto_url
from tests.infra_redis import redis_cluster_url, redis_prefix, redis_url
from tests.infra_search import drop_alias, elasticsearch_url, opensearch_url, unique_alias

__all__ = [  # fixtures, used by name
    "dynamo_table",
    "elasticsearch_url",
    "moto_url",
    "opensearch_url",
    "redis_cluster_url",
    "redis_prefix",
    "redis_url",
]

SECRET = "http-tests-secret-that-is-long-enough-for-hs256-0123456789"
PROFILES: dict[str, dict[str, Any]] = {
    "embedded": {},
    "embedded-no-cache": {"cache": "none"},
    "dynamodb": {"store": "dynamodb"},
    "redis": {"cache": "redis"},
    # A Redis Cluster of three masters, as a managed Redis in cluster mode runs.
    "redis-cluster": {"cache": "redis", "redis_cluster": True},
    "opensearch": {"search": "opensearch"},
    "elasticsearch": {"search": "elasticsearch"},
    # Every production backend at once, as a deployment runs.
    "production": {
        "profile": "production",
        "store": "dynamodb",
        "search": "opensearch",
        "cache": "redis",
    },
}
#: Profiles on real servers, and the fixtures (tests/infra_*.py) that find or start them.
INFRA_PROFILES = {
    "dynamodb",
    "redis",
    "redis-cluster",
    "opensearch",
    "elasticsearch",
    "production",
}
ENGINES = ("opensearch", "elasticsearch")
MOVIE = {
    "title": "The Godfather",
    "year": 1972,
    "genres": ["Crime", "Drama"],
    "directors": ["Francis Ford Coppola"],
    "cast": ["Marlon Brando", "Al Pacino"],
    "overview": "The aging patriarch of an organized crime dynasty transfers control.",
    "runtime_minutes": 175,
    "rating": 9.2,
    "votes": 2_000_000,
    "language": "en",
    "certification": "R",
}
Mint = Callable[..., str]


def settings_for(
    profile: str, data_dir: Path, request: pytest.FixtureRequest | None = None
) -> Settings:
    """The profile's settings; a real-server profile asks ``request`` for its server."""
    overrides = dict(PROFILES[profile])
    if profile in INFRA_PROFILES:
        assert request is not None, f"the {profile} profile needs its server fixtures"
    if overrides.get("store") == "dynamodb" and request is not None:
        overrides["dynamodb_endpoint"] = request.getfixturevalue("moto_url")
        overrides["dynamodb_table"] = request.getfixturevalue("dynamo_table")
    if overrides.get("cache") == "redis" and request is not None:
        server = "redis_cluster_url" if overrides.get("redis_cluster") else "redis_url"
        overrides["redis_url"] = request.getfixturevalue(server)
        overrides["redis_prefix"] = request.getfixturevalue("redis_prefix")
    engine = overrides.get("search")
    if engine in ENGINES and request is not None:
        overrides["search_url"] = request.getfixturevalue(f"{engine}_url")
        overrides["search_index"] = unique_alias()
    return Settings(data_dir=data_dir, jwt_secret=SecretStr(SECRET), **overrides)


def mint(
    scope: str | None = "movies:write",
    *,
    secret: str = SECRET,
    expires_in: float | None = 3600,
    **claims: Any,
) -> str:
    payload: dict[str, Any] = {"sub": "tester", **claims}
    if scope is not None:
        payload["scope"] = scope
    if expires_in is not None:
        payload["exp"] = int(time.time() + expires_in)
    return jwt.encode(payload, secret, "HS256")


def bearer(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or mint()}"}


@pytest.fixture(
    params=[
        pytest.param(name, marks=[pytest.mark.infra] if name in INFRA_PROFILES else [])
        for name in sorted(PROFILES)
    ]
)
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def container(profile: str, tmp_path: Path, request: pytest.FixtureRequest) -> Container:
    return build(settings_for(profile, tmp_path / "data", request))


@pytest.fixture
async def app(container: Container) -> AsyncIterator[FastAPI]:
    app = create_app(container)
    try:
        async with app.router.lifespan_context(app):
            await container.init()  # what `filmflare init` does before a real store serves
            await caught_up(container)
            yield app
    finally:
        settings = container.settings
        if settings.search in ENGINES and settings.search_url:
            await drop_alias(settings.search, settings.search_url, settings.search_index)


async def caught_up(container: Container, patience: float = 10.0) -> None:
    """Wait for the indexer's first pass, as a deployment waits for readiness; a test whose
    index does not answer goes on after ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            await container.indexer.check()
        except BackendUnavailable:
            await asyncio.sleep(0.01)
        else:
            return


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def writer() -> dict[str, str]:
    """Headers of a caller allowed to write."""
    return bearer()


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """Add a movie (MOVIE with ``fields`` over it) and return its body."""
    response = await client.post("/movies", json=MOVIE | fields, headers=bearer())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://filmflare.dev/problems/")
    assert body["title"]
    assert body["detail"]
    return body


FAST = "filmflare_http_fast_path_answers_total"


@contextlib.contextmanager
def fast_path_aside(app: FastAPI) -> Iterator[None]:
    """Every request goes to FastAPI's routes, as if there were no fast path."""
    fast = app.front.app  # type: ignore[attr-defined]  # behind the request observer
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "_read_of", lambda scope: None)
        yield


def answered_in_front(app: FastAPI, route: str) -> float:
    registry = app.state.metrics.registry
    return float(registry.get_sample_value(FAST, {"route": route}) or 0)
