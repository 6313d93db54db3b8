"""Use cases on the embedded adapters: the write path, caching and the indexer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import orjson
import pytest

from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.errors import BackendUnavailable, MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie
from filmflare.domain.preconditions import VersionMatch
from filmflare.domain.query_params import parse_search_params
from filmflare.ports.search_index import MovieSearchIndex

pytestmark = pytest.mark.anyio


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    async with build(Settings(data_dir=tmp_path)) as built:
        yield built


async def search_ids(container: Container, query: str) -> list[str]:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    found = await container.search_movies.execute(parse_search_params(pairs))  # type: ignore[arg-type]
    return [m["id"] for m in orjson.loads(found.body)["results"]]


async def test_add_then_get_serves_the_same_bytes_twice(container: Container) -> None:
    movie = await container.add_movie.execute({"title": "Heat", "year": 1995})
    first = await container.get_movie.execute(movie.id)
    second = await container.get_movie.execute(movie.id)
    assert first == second
    assert first.version == 1
    assert orjson.loads(first.body)["title"] == "Heat"


async def test_a_write_is_never_followed_by_a_stale_read(container: Container) -> None:
    movie = await container.add_movie.execute({"title": "Heat"})
    await container.get_movie.execute(movie.id)  # fill the cache
    for votes in range(1, 6):
        await container.patch_movie.execute(movie.id, {"votes": votes}, None)
        got = await container.get_movie.execute(movie.id)
        assert orjson.loads(got.body)["votes"] == votes
        assert got.version == votes + 1


async def test_if_match_guards_writes(container: Container) -> None:
    movie = await container.add_movie.execute({"title": "Heat"})
    with pytest.raises(VersionConflict):
        await container.replace_movie.execute(
            movie.id, {"title": "Ronin"}, VersionMatch(frozenset({2}))
        )
    updated = await container.replace_movie.execute(
        movie.id, {"title": "Ronin"}, VersionMatch(frozenset({1}))
    )
    assert (updated.title, updated.version) == ("Ronin", 2)
    with pytest.raises(VersionConflict):
        await container.delete_movie.execute(movie.id, VersionMatch(frozenset({1})))
    await container.delete_movie.execute(movie.id, VersionMatch(frozenset({2})))
    with pytest.raises(MovieNotFound):
        await container.get_movie.execute(movie.id)
    with pytest.raises(MovieNotFound):
        await container.delete_movie.execute(movie.id, None)


async def test_concurrent_unconditional_patches_lose_nothing(container: Container) -> None:
    movie = await container.add_movie.execute({"title": "Heat", "cast": []})
    await asyncio.gather(
        *(container.patch_movie.execute(movie.id, {"votes": n}, None) for n in range(20))
    )
    final = await container.get_movie.execute(movie.id)
    assert final.version == 21


async def test_search_sees_writes_once_indexed(container: Container) -> None:
    movie = await container.add_movie.execute({"title": "The Godfather", "year": 1972})
    await container.indexer.catch_up()
    assert await search_ids(container, "q=godfater") == [movie.id]
    await container.patch_movie.execute(movie.id, {"title": "Le Parrain"}, None)
    await container.indexer.catch_up()
    assert await search_ids(container, "q=godfater") == []
    assert await search_ids(container, "q=parrain") == [movie.id]
    await container.delete_movie.execute(movie.id, None)
    await container.indexer.catch_up()
    assert await search_ids(container, "q=parrain") == []


class FailingIndex:
    """Fault injection: the real index, whose writes fail while ``failing`` is set."""

    def __init__(self, inner: MovieSearchIndex) -> None:
        self.inner = inner
        self.failing = True
        self.attempts = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def upsert(self, movies: Sequence[Movie]) -> None:
        self.attempts += 1
        if self.failing:
            raise ConnectionError("index write failed on purpose")
        await self.inner.upsert(movies)


def on_index(tmp_path: Path, index: FailingIndex) -> Container:
    """The embedded service in ``tmp_path`` with ``index`` in place of its own."""
    return build(Settings(data_dir=tmp_path), index=index)


async def test_index_failure_after_the_store_write_loses_nothing(tmp_path: Path) -> None:
    failing = FailingIndex(build(Settings(data_dir=tmp_path)).index)
    container = on_index(tmp_path, failing)
    async with container:
        worker = asyncio.create_task(container.indexer.run(poll_interval=0.05))
        try:
            movies = [await container.add_movie.execute({"title": f"Heat {n}"}) for n in range(5)]
            for _ in range(500):  # woken by the writes and polling: every try fails
                if failing.attempts >= 3:
                    break
                await asyncio.sleep(0.01)
            assert failing.attempts >= 3
            assert await search_ids(container, "q=heat") == []
            failing.failing = False
            for _ in range(200):
                found = await search_ids(container, "q=heat&per_page=10")
                if len(found) == 5:
                    break
                await asyncio.sleep(0.02)
            assert sorted(found) == sorted(m.id for m in movies)
        finally:
            worker.cancel()


async def test_an_index_outage_backs_off_instead_of_retrying_on_every_write(
    tmp_path: Path,
) -> None:
    failing = FailingIndex(build(Settings(data_dir=tmp_path)).index)
    container = on_index(tmp_path, failing)
    async with container:
        worker = asyncio.create_task(container.indexer.run(poll_interval=0.05, max_backoff=0.5))
        try:
            started = time.monotonic()
            for n in range(40):  # each write wakes the indexer
                await container.add_movie.execute({"title": f"Ronin {n}"})
                await asyncio.sleep(0.05)
            # Passes at 0.05, 0.1, 0.2, 0.4 s, then one per 0.5 s however many writes wake it.
            assert 3 <= failing.attempts <= (time.monotonic() - started) / 0.5 + 5 < 40
            failing.failing = False
            for _ in range(200):
                if len(await search_ids(container, "q=ronin&per_page=50")) == 40:
                    break
                await asyncio.sleep(0.02)
            assert len(await search_ids(container, "q=ronin&per_page=50")) == 40
        finally:
            worker.cancel()


async def test_an_indexer_woken_as_it_is_cancelled_stops(tmp_path: Path) -> None:
    # The app's shutdown cancels the indexer; a write may wake it in the same instant. The
    # cancellation must win every time, or the shutdown waits for the indexer forever.
    container = build(Settings(data_dir=tmp_path))
    async with container:
        for _ in range(20):
            worker = asyncio.create_task(container.indexer.run(poll_interval=30))
            await asyncio.sleep(0)  # let it start waiting
            container.indexer.wake()
            worker.cancel()
            await asyncio.wait({worker}, timeout=5)  # waits without cancelling it again
            assert worker.cancelled(), "the indexer went on after its cancellation"


class SwallowingIndex(FailingIndex):
    """An index whose write swallows a cancellation, as redis-py's send can on Python 3.11."""

    def __init__(self, inner: MovieSearchIndex) -> None:
        super().__init__(inner)
        self.in_flight = asyncio.Event()

    async def upsert(self, movies: Sequence[Movie]) -> None:
        self.in_flight.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)
        await self.inner.upsert(movies)


async def test_a_stopped_indexer_ends_even_if_its_cancellation_is_swallowed(
    tmp_path: Path,
) -> None:
    swallowing = SwallowingIndex(build(Settings(data_dir=tmp_path)).index)
    container = on_index(tmp_path, swallowing)
    async with container:
        stopping = asyncio.Event()
        worker = asyncio.create_task(container.indexer.run(poll_interval=30, until=stopping))
        await container.add_movie.execute({"title": "Thief"})  # wakes it
        async with asyncio.timeout(5):
            await swallowing.in_flight.wait()
        stopping.set()
        worker.cancel()
        await asyncio.wait({worker}, timeout=5)
        assert worker.done(), "the indexer went on after it was stopped"


async def test_a_write_whose_caller_is_cancelled_still_retires_the_cached_read(
    tmp_path: Path,
) -> None:
    """A store may commit a write whose caller has gone (a server shutting down cancels its
    requests): the invalidation follows the commit all the same."""
    released = asyncio.Event()

    class SlowStore(SqliteMovieRepository):
        """Commits on a thread of its own, as SQLite does: a cancelled caller stops waiting
        for the commit, not the commit."""

        async def replace(self, movie: Movie, previous: Movie) -> None:
            await asyncio.shield(self._commit(movie, previous))

        async def _commit(self, movie: Movie, previous: Movie) -> None:
            await released.wait()
            await super().replace(movie, previous)

    store = SlowStore(tmp_path / "filmflare.sqlite3")
    async with build(Settings(data_dir=tmp_path), repository=store) as container:
        movie = await container.add_movie.execute({"title": "Heat", "votes": 1})
        await container.get_movie.execute(movie.id)  # cached at version 1
        writing = asyncio.create_task(container.patch_movie.execute(movie.id, {"votes": 2}, None))
        await asyncio.sleep(0.01)
        writing.cancel()
        released.set()
        with pytest.raises(asyncio.CancelledError):
            await writing
        for _ in range(100):  # the shielded unit finishes on its own
            got = await container.get_movie.execute(movie.id)
            if got.version == 2:
                break
            await asyncio.sleep(0.01)
        assert orjson.loads(got.body)["votes"] == 2


async def test_init_rebuilds_an_index_made_by_another_version(tmp_path: Path) -> None:
    """An embedded index from before its schema changed (no version mark) cannot be opened
    with today's schema: searches answer 503 naming `filmflare init`, which refills a new
    index from the store."""
    async with build(Settings(data_dir=tmp_path)) as first:
        await first.init()
        kept = await first.add_movie.execute({"title": "Heat", "external_id": "imdb:tt0113277"})
        await first.indexer.catch_up()
    for mark in (tmp_path / "search-index").glob("g*/SCHEMA"):
        mark.unlink()

    async with build(Settings(data_dir=tmp_path)) as upgraded:
        with pytest.raises(BackendUnavailable, match="filmflare init"):
            await search_ids(upgraded, "q=heat")
        assert await upgraded.init() == 1
        assert await search_ids(upgraded, "external_id=imdb:tt0113277") == [kept.id]
        assert await upgraded.init() is None  # now current: nothing to refill
