"""The API on an OpenSearch or Elasticsearch that does not answer: searches are a 503 with
``Retry-After``, writes are still taken (the indexer applies them once the engine is back)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from filmflare.bootstrap import build
from filmflare.config import Settings
from filmflare.entrypoints.http.app import create_app
from tests.http.conftest import MOVIE, SECRET, assert_problem, bearer

pytestmark = pytest.mark.anyio


def _nothing_listens() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture(params=["opensearch", "elasticsearch"])
async def client(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        data_dir=tmp_path,
        jwt_secret=SecretStr(SECRET),
        search=request.param,
        search_url=_nothing_listens(),
    )
    app = create_app(build(settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_search_is_a_503_but_writes_are_taken(client: httpx.AsyncClient) -> None:
    created = await client.post("/movies", json=MOVIE, headers=bearer())
    assert created.status_code == 201, created.text
    assert (await client.get(f"/movies/{created.json()['id']}")).status_code == 200
    for path in ("/movies?q=godfather", "/movies/suggest?q=god", "/genres"):
        problem = assert_problem(await client.get(path), 503)
        assert "search" in problem["detail"]
    assert (await client.get("/movies")).headers["retry-after"]
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert "search" in ready.text
