"""What only the OpenSearch and Elasticsearch adapters promise, on each real engine:
index generations behind the alias, rebuilds that lose no write, tombstones, a missing index."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from filmflare.adapters.search_engine import ElasticsearchIndex, OpenSearchIndex
from filmflare.adapters.search_engine.client import EngineClient
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.adapters.search_engine.mapping import ADDED, index_body
from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.errors import BackendUnavailable
from filmflare.domain.movie import Movie
from tests.contract.search_contract import find, ids, movie
from tests.infra_search import (
    CLIENTS,
    drop,
    elasticsearch_url,
    ensured_index,
    opensearch_url,
    unique_alias,
)

__all__ = ["elasticsearch_url", "opensearch_url"]
pytestmark = [pytest.mark.infra, pytest.mark.anyio]
INDEXES = {"opensearch": OpenSearchIndex, "elasticsearch": ElasticsearchIndex}


@pytest.fixture(params=sorted(INDEXES))
def engine(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The engine's name and URL."""
    name = str(request.param)
    return name, str(request.getfixturevalue(f"{name}_url"))


@pytest.fixture
async def index(engine: tuple[str, str]) -> AsyncIterator[EngineSearchIndex]:
    name, url = engine
    async for ready in ensured_index(name, url, INDEXES[name]):
        yield ready


@pytest.fixture
async def client(engine: tuple[str, str]) -> AsyncIterator[EngineClient]:
    """A client of our own, to look at the cluster as an operator would."""
    name, url = engine
    made = CLIENTS[name](url)
    await made.start()
    yield made
    await made.close()


def twin(engine: tuple[str, str], alias: str) -> EngineSearchIndex:
    """Another handle on the same alias, as another process would have."""
    name, url = engine
    return INDEXES[name](url, alias)


async def test_the_index_is_a_generation_behind_the_alias(
    index: EngineSearchIndex, client: EngineClient
) -> None:
    alias = index.alias
    assert await client.alias_targets(alias) == [f"{alias}_v1"]
    assert await index.ensure() is False  # idempotent, as `filmflare init` must be
    assert await client.alias_targets(alias) == [f"{alias}_v1"]


async def test_ensure_adds_the_fields_an_older_index_lacks(
    engine: tuple[str, str], client: EngineClient
) -> None:
    """An index made before ``external_id`` was mapped: its documents stay, the field is
    added, and a movie holding one is then written and found."""
    alias = unique_alias()
    body = index_body(alias)
    for name in ADDED:
        del body["mappings"]["properties"][name]
    await client.create_index(f"{alias}_v1", body)
    older = twin(engine, alias)
    await older.start()
    try:
        assert await older.ensure() is False
        await older.upsert([movie("1", "Heat", external_id="imdb:tt0113277"), movie("2", "Alien")])
        assert await ids(older, external_id="imdb:tt0113277") == ["1"]
        assert await ids(older, q="alien") == ["2"]
    finally:
        await older.close()
        await drop(client, alias)


async def test_rebuild_swaps_the_alias_while_searches_keep_answering(
    index: EngineSearchIndex, client: EngineClient
) -> None:
    alias = index.alias
    await index.upsert([movie("old", "Old Film")])
    answers: list[int] = []
    rebuilt = asyncio.Event()

    async def keep_searching() -> None:
        while not rebuilt.is_set():
            answers.append((await find(index, q="film")).total)
            await asyncio.sleep(0.01)

    async def batches() -> AsyncIterator[Sequence[Movie]]:
        for n in range(3):
            await asyncio.sleep(0.05)
            yield [movie(f"new{n}", f"New Film {n}")]

    async def rebuild() -> int:
        try:
            return await index.rebuild(batches())
        finally:
            rebuilt.set()

    count, _ = await asyncio.gather(rebuild(), keep_searching())
    assert count == 3
    assert answers  # searches ran during the rebuild, and each answered: old index or new
    assert set(answers) <= {1, 3}
    assert await client.alias_targets(alias) == [f"{alias}_v2"]
    assert await client.index_names(f"{alias}_v*") == [f"{alias}_v2"]
    assert await client.alias_targets(f"{alias}_next") == []
    assert sorted(await ids(index, q="film")) == ["new0", "new1", "new2"]


async def test_a_failed_rebuild_leaves_the_index_as_it_was(
    index: EngineSearchIndex, client: EngineClient
) -> None:
    alias = index.alias
    await index.upsert([movie("old", "Old Film")])

    async def batches() -> AsyncIterator[Sequence[Movie]]:
        yield [movie("new", "New Film")]
        raise OSError("the store went away")

    with pytest.raises(OSError, match="store went away"):
        await index.rebuild(batches())
    await index.upsert([movie("later", "Later Film")])
    assert sorted(await ids(index, q="film")) == ["later", "old"]
    assert await client.index_names(f"{alias}_v*") == [f"{alias}_v1"]
    assert await client.alias_targets(f"{alias}_next") == []


async def test_writes_during_a_rebuild_reach_the_new_index(
    index: EngineSearchIndex, engine: tuple[str, str]
) -> None:
    await index.upsert([movie("a", "Alpha"), movie("b", "Beta")])
    await index.delete([("dead", 4)])
    other = twin(engine, index.alias)  # writes as another process would: to the alias only
    await other.start()

    async def batches() -> AsyncIterator[Sequence[Movie]]:
        yield [movie("a", "Alpha"), movie("b", "Beta"), movie("x", "Ex"), movie("y", "Why")]
        await index.upsert([movie("a", "Alpha Two", version=2), movie("c", "Gamma")])
        await index.delete([("b", 2)])
        await other.upsert([movie("x", "Ex Two", version=2), movie("d", "Delta")])
        await other.delete([("y", 2)])

    try:
        await index.rebuild(batches())
        titles = sorted(h.movie.title for h in (await find(index)).hits)
        assert titles == ["Alpha Two", "Delta", "Ex Two", "Gamma"]
        late = [movie("dead", "Zombie", version=3), movie("b", "Beta"), movie("y", "Why")]
        await other.upsert(late)
        assert sorted(await ids(index)) == ["a", "c", "d", "x"]
    finally:
        await other.close()


async def test_out_of_order_and_replayed_writes_never_regress(index: EngineSearchIndex) -> None:
    await index.upsert([movie("1", "Third", version=3)])
    await index.upsert([movie("1", "Second", version=2)])
    await index.delete([("1", 3)])  # a deletion replayed at the same version: no effect
    assert [h.movie.title for h in (await find(index)).hits] == ["Third"]
    await index.delete([("1", 4)])
    await index.upsert([movie("1", "Third", version=3)])
    assert (await find(index)).total == 0


async def test_equally_relevant_typo_matches_put_the_most_voted_first(
    index: EngineSearchIndex,
) -> None:
    await index.upsert(
        [
            movie("a", "The Godfather: Part II", votes=500),
            movie("b", "The Godfather", votes=900),
            movie("c", "The Godfather: Part III", votes=None),
        ]
    )
    assert await ids(index, q="godfater") == ["b", "a", "c"]


async def test_a_typo_reaches_every_close_word(index: EngineSearchIndex) -> None:
    """More words within an edit than an engine expands by default (50) all match (the
    first letter kept: changing it counts as two edits)."""
    close = sorted(
        {
            "hello"[:n] + letter + "hello"[n + 1 :]
            for n in range(1, 5)
            for letter in "abcdfgijkmnpqrstuvwxyz"
        }
    )
    await index.upsert([movie(f"m{n:03d}", word) for n, word in enumerate(close)])
    assert len(close) > 50
    assert (await find(index, q="hello", per_page=100)).total == len(close)
    assert (await find(index, title="hello world")).total == 0


async def test_a_missing_index_is_unavailable_and_writes_create_nothing(
    engine: tuple[str, str], client: EngineClient
) -> None:
    alias = unique_alias()
    never_made = twin(engine, alias)
    await never_made.start()
    try:
        with pytest.raises(BackendUnavailable, match="filmflare init"):
            await never_made.search(SearchCriteria(sort=Sort("title", False)), None)
        with pytest.raises(BackendUnavailable, match="filmflare init"):
            await never_made.ping()
        with pytest.raises(BackendUnavailable, match="filmflare init"):
            await never_made.upsert([movie("1", "One")])
        assert await client.index_names(f"{alias}*") == []
    finally:
        await never_made.close()
        await drop(client, alias)
