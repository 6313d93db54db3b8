"""The search contract on the embedded engine, plus what only the embedded engine promises."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from filmflare.adapters.embedded_search import EmbeddedSearchIndex
from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.errors import BackendUnavailable
from filmflare.domain.movie import Movie
from tests.contract.search_contract import SearchIndexContract, find, ids, movie


@pytest.fixture
async def index() -> AsyncIterator[EmbeddedSearchIndex]:
    engine = EmbeddedSearchIndex(None)
    await engine.start()
    await engine.ensure()
    yield engine
    await engine.close()


class TestEmbeddedSearch(SearchIndexContract):
    """Every contract test against a new index in RAM."""


pytestmark = pytest.mark.anyio


async def _opened(path: Path) -> EmbeddedSearchIndex:
    engine = EmbeddedSearchIndex(path)
    await engine.start()
    return engine


async def test_documents_and_tombstones_survive_a_restart(tmp_path: Path) -> None:
    first = await _opened(tmp_path / "index")
    await first.upsert([movie("kept", "Kept", version=2), movie("gone", "Gone")])
    await first.delete([("gone", 2)])
    await first.close()

    again = await _opened(tmp_path / "index")
    try:
        await again.ensure()
        await again.upsert([movie("kept", "Older", version=1), movie("gone", "Gone")])
        assert [h.movie.title for h in (await find(again)).hits] == ["Kept"]
    finally:
        await again.close()


async def test_a_rebuilt_index_is_the_one_reopened(tmp_path: Path) -> None:
    first = await _opened(tmp_path)
    await first.upsert([movie("old", "Old")])

    async def batches() -> AsyncIterator[Sequence[Movie]]:
        yield [movie("new", "New")]

    assert await first.rebuild(batches()) == 1
    await first.close()
    generations = [p for p in tmp_path.iterdir() if p.is_dir()]  # noqa: ASYNC240 - a tmp dir
    assert len(generations) == 1
    again = await _opened(tmp_path)
    try:
        assert await ids(again) == ["new"]
    finally:
        await again.close()


async def test_writes_during_a_rebuild_reach_the_new_index(index: EmbeddedSearchIndex) -> None:
    await index.upsert([movie("a", "Alpha"), movie("b", "Beta")])
    await index.delete([("dead", 4)])

    async def batches() -> AsyncIterator[Sequence[Movie]]:
        yield [movie("a", "Alpha"), movie("b", "Beta")]
        await index.upsert([movie("a", "Alpha Two", version=2), movie("c", "Gamma")])
        await index.delete([("b", 2)])

    await index.rebuild(batches())
    assert sorted(h.movie.title for h in (await find(index)).hits) == ["Alpha Two", "Gamma"]
    await index.upsert([movie("dead", "Zombie", version=3), movie("b", "Beta")])
    assert sorted(await ids(index)) == ["a", "c"]


async def test_two_handles_on_one_directory_share_writes_and_rebuilds(tmp_path: Path) -> None:
    one, two = await _opened(tmp_path), await _opened(tmp_path)
    try:
        await one.upsert([movie("1", "First")])
        assert await ids(two) == ["1"]
        await two.upsert([movie("2", "Second")])
        assert sorted(await ids(one)) == ["1", "2"]

        async def batches() -> AsyncIterator[Sequence[Movie]]:
            yield [movie("3", "Third")]

        await two.rebuild(batches())
        assert await ids(one) == ["3"]
        await one.upsert([movie("4", "Fourth")])
        assert sorted(await ids(two)) == ["3", "4"]
    finally:
        await one.close()
        await two.close()


async def test_a_position_survives_changes_before_it(index: EmbeddedSearchIndex) -> None:
    await index.upsert([movie(f"m{n:02d}", f"Film {n:02d}") for n in range(30)])
    criteria = SearchCriteria(sort=Sort("title", False), per_page=5)
    first = await index.search(criteria, None)
    assert first.next_position is not None
    await index.delete([("m00", 2), ("m01", 2), ("m02", 2)])
    after_removal = await index.search(criteria, first.next_position)
    assert [h.movie.id for h in after_removal.hits] == [f"m{n:02d}" for n in range(5, 10)]
    await index.upsert([movie(f"a{n:02d}", f"Early {n}") for n in range(40)])
    assert after_removal.next_position is not None
    after_insert = await index.search(criteria, after_removal.next_position)
    assert [h.movie.id for h in after_insert.hits] == [f"m{n:02d}" for n in range(10, 15)]


async def test_closed_or_unopened_index_is_unavailable(tmp_path: Path) -> None:
    engine = EmbeddedSearchIndex(tmp_path)
    with pytest.raises(BackendUnavailable, match="search"):
        await engine.ping()
    await engine.start()
    await engine.ping()
    await engine.close()
    with pytest.raises(BackendUnavailable, match="search"):
        await engine.search(SearchCriteria(), None)
    with pytest.raises(BackendUnavailable, match="search"):
        await engine.upsert([movie("1", "One")])


async def test_equally_relevant_typo_matches_put_the_most_voted_first(
    index: EmbeddedSearchIndex,
) -> None:
    await index.upsert(
        [
            movie("a", "The Godfather: Part II", votes=500),
            movie("b", "The Godfather", votes=900),
            movie("c", "The Godfather: Part III", votes=None),
        ]
    )
    assert await ids(index, q="godfater") == ["b", "a", "c"]
