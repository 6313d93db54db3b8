"""The DynamoDB store through the composition root: ``build(Settings(store="dynamodb"))``.

What the issue asks to see: concurrent conflicting writes (one wins, the rest conflict),
concurrent unconditional patches (none lost), a process that dies between the store write
and the index write (the next process's indexer catches up, without replaying everything),
replicas indexing at once, and an unreachable store answered with a 503, never a 500.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from filmflare.adapters.dynamodb import DynamoMovieRepository
from filmflare.adapters.embedded_search import EmbeddedSearchIndex
from filmflare.adapters.memory import NoCache
from filmflare.application.indexer import CONSUMER, Indexer
from filmflare.application.response_cache import ResponseCache
from filmflare.bootstrap import Container, build
from filmflare.domain.errors import VersionConflict
from filmflare.domain.movie import Movie
from filmflare.domain.preconditions import VersionMatch
from filmflare.domain.query_params import parse_search_params
from filmflare.entrypoints.http.app import create_app
from tests.contract.repository_contract import make_movie, revised
from tests.infra_moto import dynamo_settings, dynamo_table, moto_url

__all__ = ["dynamo_table", "moto_url"]  # fixtures, imported to be found by pytest
pytestmark = pytest.mark.anyio


@pytest.fixture
async def pair(
    moto_url: str, dynamo_table: str, tmp_path: Path
) -> AsyncIterator[tuple[Container, Container]]:
    """Two processes' containers on the same tables, each with its own search index."""
    first = build(dynamo_settings(moto_url, dynamo_table, tmp_path / "first"))
    second = build(dynamo_settings(moto_url, dynamo_table, tmp_path / "second"))
    assert isinstance(first.repository, DynamoMovieRepository)
    async with first, second:
        await first.init()
        yield first, second


@pytest.mark.infra
async def test_twenty_concurrent_conflicting_writes_exactly_one_wins(
    pair: tuple[Container, Container],
) -> None:
    first, second = pair
    movie = await first.add_movie.execute({"title": "Heat"})
    same_version = VersionMatch(frozenset({1}))
    results = await asyncio.gather(
        *(
            pair[n % 2].replace_movie.execute(movie.id, {"title": f"Rival {n}"}, same_version)
            for n in range(20)
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Movie)]
    assert len(winners) == 1
    assert winners[0].version == 2
    assert sum(isinstance(r, VersionConflict) for r in results) == 19
    assert await second.repository.get(movie.id) == winners[0]
    assert [c.version for c in await second.feed.read(None, 100)] == [1, 2]


@pytest.mark.infra
async def test_twenty_concurrent_patches_without_a_precondition_lose_no_update(
    pair: tuple[Container, Container],
) -> None:
    first, second = pair
    movie = await first.add_movie.execute({"title": "Heat"})
    results = await asyncio.gather(
        *(
            pair[n % 2].patch_movie.execute(movie.id, {"overview": f"Patch {n}"}, None)
            for n in range(20)
        )
    )
    final = await second.repository.get(movie.id)
    assert final is not None
    assert final.version == 21
    assert sorted(r.version for r in results) == list(range(2, 22))
    changes = await first.feed.read(None, 100)
    assert [c.version for c in changes] == list(range(1, 22))
    overviews = [c.movie.overview or "" for c in changes[1:] if c.movie is not None]
    assert sorted(overviews) == sorted(f"Patch {n}" for n in range(20))


@pytest.mark.infra
async def test_a_write_the_index_never_saw_is_projected_after_a_restart(
    moto_url: str, dynamo_table: str, tmp_path: Path
) -> None:
    async with build(dynamo_settings(moto_url, dynamo_table, tmp_path / "crashed")) as crashed:
        await crashed.init()
        movie = await crashed.add_movie.execute({"title": "Crash Course", "year": 2001})
        # The process dies here: its indexer was only woken, and never ran.
        assert await crashed.index.suggest("Crash Course", 5) == []
        assert await crashed.feed.checkpoint(CONSUMER) is None

    async with build(dynamo_settings(moto_url, dynamo_table, tmp_path / "fresh")) as fresh:
        await fresh.init()
        assert await fresh.indexer.catch_up() == 1
        assert [s.id for s in await fresh.index.suggest("Crash Course", 5)] == [movie.id]
        assert await fresh.feed.checkpoint(CONSUMER) == "1"
        later = await fresh.add_movie.execute({"title": "Sequel"})
        assert await fresh.indexer.catch_up() == 1  # only the new change, nothing replayed
        assert [s.id for s in await fresh.index.suggest("Sequel", 5)] == [later.id]


@pytest.mark.infra
async def test_replicas_indexing_at_once_do_no_harm(moto_url: str, dynamo_table: str) -> None:
    stores = [DynamoMovieRepository(dynamo_table, moto_url) for _ in range(3)]
    index = EmbeddedSearchIndex(None)
    resources: list[DynamoMovieRepository | EmbeddedSearchIndex] = [*stores, index]
    for resource in resources:
        await resource.start()
    try:
        writer = stores[0]
        await writer.ensure()
        movies = [make_movie(f"Replica {n}") for n in range(30)]
        await writer.add_many(movies)
        latest = {m.id: m for m in movies}
        for movie in movies[:10]:
            latest[movie.id] = revised(movie, f"{movie.title} (revised)")
            await writer.replace(latest[movie.id], movie)
        for movie in movies[25:]:
            await writer.delete(movie.id, None)
            del latest[movie.id]
        replicas = [Indexer(feed, index, ResponseCache(NoCache()), batch=7) for feed in stores[1:]]
        await asyncio.gather(*(replica.catch_up() for replica in replicas))
        page = await index.search(parse_search_params([("per_page", "100")]), None)
        assert {hit.movie.id: hit.movie for hit in page.hits} == latest
        assert await writer.checkpoint(CONSUMER) == "45"
        assert await writer.read("45", 10) == []
    finally:
        for resource in resources:
            await resource.close()


async def test_an_unreachable_store_is_a_503_never_a_500(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = f"http://127.0.0.1:{port}"
    settings = dynamo_settings(nowhere, "filmflare-nowhere", tmp_path)
    # One attempt: the SDK's backoff would only make this test slower, not different.
    store = DynamoMovieRepository(settings.dynamodb_table, nowhere, max_attempts=1)
    app = create_app(build(settings, repository=store))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        for response in [
            await client.get("/movies/0123456789abcdef"),
            await client.get("/readyz"),
        ]:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "Retry-After" in response.headers
            assert "store" in response.text
