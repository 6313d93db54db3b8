"""Imports that can run again: resuming after a crash, and batches that lose a race."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.application.indexer import CONSUMER
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.movie import Movie, MovieData, new_movie_id
from filmflare.ports.imports import ImportMark, ImportStore, ImportWrite

pytestmark = pytest.mark.anyio
SOURCE = "sha256:test"


class Crash(Exception):
    pass


def rows(count: int, crash_at: int | None = None) -> Iterator[tuple[int, object]]:
    for line in range(1, count + 1):
        if line == crash_at:
            raise Crash
        row: dict[str, object] = {"title": f"Movie {line}"}
        if line % 3 == 0:
            row["external_id"] = f"x:{line}"
        yield line, row


async def titles(container: Container) -> list[str]:
    return [m.title async for batch in container.repository.scan() for m in batch]


async def test_a_crashed_import_resumes_after_its_last_batch(tmp_path: Path) -> None:
    async with build(Settings(data_dir=tmp_path)) as container:
        await container.init()
        with pytest.raises(Crash):
            await container.import_movies.execute(rows(1_200, crash_at=1_100), source=SOURCE)
        assert len(await titles(container)) == 1_000  # two batches of 500 committed

        report = await container.import_movies.execute(rows(1_200), source=SOURCE)
        assert report.resumed_after == 1_000
        assert (report.skipped, report.unchanged, report.created) == (667, 333, 200)
        found = await titles(container)
        assert sorted(found) == sorted(f"Movie {n}" for n in range(1, 1_201))


async def fed(container: Container) -> str | None:
    """Where the change feed stands: the indexer's checkpoint, once it has caught up (the
    records it passed are pruned, so they cannot be counted)."""
    await container.indexer.catch_up()
    assert not await container.feed.read(await container.feed.checkpoint(CONSUMER), 1)
    return await container.feed.checkpoint(CONSUMER)


async def stored(container: Container) -> dict[str, Movie]:
    return {m.id: m async for batch in container.repository.scan() for m in batch}


async def test_an_unchanged_file_imported_again_writes_nothing(tmp_path: Path) -> None:
    keyed = [
        (line, {"title": f"Movie {line}", "external_id": f"x:{line}"}) for line in range(1, 1_201)
    ]
    async with build(Settings(data_dir=tmp_path)) as container:
        await container.init()
        await container.import_movies.execute(keyed, source=SOURCE)
        before, position = await stored(container), await fed(container)
        assert len(before) == 1_200

        again = await container.import_movies.execute(keyed, source=SOURCE, restart=True)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1_200)
        assert await stored(container) == before  # the same versions and timestamps
        assert await fed(container) == position  # no change record


class Racing:
    """The store's import side, with another writer taking an external id just before the
    first batch commits."""

    def __init__(self, inner: ImportStore, repository: SqliteMovieRepository) -> None:
        self.inner = inner
        self.repository = repository
        self.raced: Movie | None = None

    async def holders(self, external_ids: Sequence[str]) -> Mapping[str, Movie]:
        return await self.inner.holders(external_ids)

    async def known_ids(self, ids: Sequence[str]) -> Mapping[str, Movie | None]:
        return await self.inner.known_ids(ids)

    async def commit(self, writes: Sequence[ImportWrite], mark: ImportMark | None) -> None:
        if self.raced is None:
            self.raced = Movie.create(
                new_movie_id(),
                MovieData(title="First", external_id="x:3"),
                writes[0].movie.created_at,
            )
            await self.repository.add(self.raced)
        await self.inner.commit(writes, mark)

    async def reached(self, source: str) -> int | None:
        return await self.inner.reached(source)

    async def forget(self, source: str) -> None:
        await self.inner.forget(source)


async def test_a_batch_that_loses_a_race_is_resolved_again(tmp_path: Path) -> None:
    repository = SqliteMovieRepository(tmp_path / "filmflare.sqlite3")
    racing = Racing(repository.imports, repository)
    async with build(Settings(data_dir=tmp_path), repository=repository, imports=racing) as c:
        await c.init()
        report = await c.import_movies.execute(rows(6), source=SOURCE)
        assert (report.created, report.updated) == (5, 1)
        assert racing.raced is not None
        moved = await c.repository.get(racing.raced.id)
        assert moved is not None
        assert (moved.title, moved.version) == ("Movie 3", 2)
        assert len(await titles(c)) == 6
