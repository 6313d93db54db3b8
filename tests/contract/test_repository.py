"""The repository contract on SQLite, plus what only the embedded store promises."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.domain.errors import (
    BackendUnavailable,
    DuplicateId,
    ExternalIdTaken,
    VersionConflict,
)
from tests.contract.repository_contract import MovieRepositoryContract, make_movie, revised


class TestSqliteRepository(MovieRepositoryContract):
    """Every contract test against a new database file, then what only SQLite promises."""

    @pytest.fixture
    def db_path(self, tmp_path: Path) -> Path:
        return tmp_path / "fresh" / "dir" / "filmflare.sqlite3"

    @pytest.fixture
    async def repository(self, db_path: Path) -> AsyncIterator[SqliteMovieRepository]:
        store = SqliteMovieRepository(db_path)
        await store.start()
        yield store
        await store.close()

    async def test_start_creates_the_directory_in_wal_mode(
        self, repository: SqliteMovieRepository, db_path: Path
    ) -> None:
        assert await anyio.Path(db_path).is_file()
        with contextlib.closing(sqlite3.connect(db_path)) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    async def test_a_file_from_before_external_ids_gains_the_column(self, db_path: Path) -> None:
        """A file made before ``external_id`` existed: its movies and feed stay, and the
        column and its unique index are added on start."""
        first = SqliteMovieRepository(db_path)
        await first.start()
        old = make_movie("Made before")
        await first.add(old)
        await first.close()
        with contextlib.closing(sqlite3.connect(db_path)) as connection:
            connection.execute("DROP INDEX movies_external_id")
            connection.execute("ALTER TABLE movies DROP COLUMN external_id")
            connection.execute("UPDATE changes SET movie = json_remove(movie, '$.external_id')")
            connection.commit()

        again = SqliteMovieRepository(db_path)
        await again.start()
        try:
            assert await again.get(old.id) == old
            assert [c.movie for c in await again.read(None, 10)] == [old]
            await again.add(make_movie("Keyed", external_id="x:1"))
            with pytest.raises(ExternalIdTaken):
                await again.add(make_movie("Keyed again", external_id="x:1"))
        finally:
            await again.close()

    async def test_data_and_positions_survive_a_restart(self, db_path: Path) -> None:
        first = SqliteMovieRepository(db_path)
        await first.start()
        movie = make_movie()
        await first.add(movie)
        (change,) = await first.read(None, 10)
        await first.advance("indexer", change.position)
        await first.close()

        again = SqliteMovieRepository(db_path)
        await again.start()
        try:
            assert await again.get(movie.id) == movie
            assert await again.checkpoint("indexer") == change.position
            await again.add(other := make_movie("Other"))
            (later,) = await again.read(change.position, 10)
            assert later.movie_id == other.id
            assert int(later.position) > int(change.position)
        finally:
            await again.close()

    async def test_positions_are_decimal_and_compare_as_numbers(
        self,
        repository: SqliteMovieRepository,
    ) -> None:
        await repository.add_many([make_movie(f"N{n}") for n in range(12)])
        changes = await repository.read(None, 100)
        numbers = [int(c.position) for c in changes]
        assert [str(n) for n in numbers] == [c.position for c in changes]
        assert numbers == sorted(numbers)
        nine = next(c for c in changes if c.position == "9")
        assert [c.position for c in await repository.read(nine.position, 100)] == ["10", "11", "12"]

    async def test_malformed_position_is_refused(self, repository: SqliteMovieRepository) -> None:
        with pytest.raises(ValueError, match="position"):
            await repository.read("07", 10)
        with pytest.raises(ValueError, match="position"):
            await repository.advance("indexer", "-1")

    async def test_advance_prunes_what_every_consumer_passed(
        self,
        repository: SqliteMovieRepository,
    ) -> None:
        await repository.add_many([make_movie(f"P{n}") for n in range(5)])
        changes = await repository.read(None, 100)
        await repository.advance("b", changes[1].position)
        await repository.advance("a", changes[3].position)
        assert await repository.read(None, 100) == changes[2:]
        await repository.advance("b", changes[4].position)
        assert await repository.read(None, 100) == changes[4:]

    async def test_positions_keep_growing_after_everything_is_pruned(
        self,
        repository: SqliteMovieRepository,
    ) -> None:
        await repository.add(make_movie("Old"))
        (old,) = await repository.read(None, 10)
        await repository.advance("indexer", old.position)
        assert await repository.read(None, 10) == []
        await repository.add(make_movie("New"))
        (new,) = await repository.read(None, 10)
        assert int(new.position) > int(old.position)

    async def test_add_many_is_all_or_nothing(self, repository: SqliteMovieRepository) -> None:
        taken = make_movie("Taken")
        await repository.add(taken)
        fresh = make_movie("Fresh")
        with pytest.raises(DuplicateId):
            await repository.add_many([fresh, taken])
        assert await repository.get(fresh.id) is None
        assert len(await repository.read(None, 100)) == 1

    async def test_two_processes_sharing_the_file_never_both_win(
        self, repository: SqliteMovieRepository, db_path: Path
    ) -> None:
        other = SqliteMovieRepository(db_path)
        await other.start()
        try:
            movie = make_movie()
            await repository.add(movie)
            assert await other.get(movie.id) == movie
            rivals = [revised(movie, f"Rival {n}") for n in range(6)]
            stores = [repository, other] * 3
            results = await asyncio.gather(
                *(store.replace(r, movie) for store, r in zip(stores, rivals, strict=True)),
                return_exceptions=True,
            )
            assert sum(result is None for result in results) == 1
            assert all(isinstance(r, VersionConflict) for r in results if r is not None)
            assert [c.version for c in await other.read(None, 100)] == [1, 2]
        finally:
            await other.close()

    async def test_a_read_answers_while_a_write_waits_for_the_database_lock(
        self, repository: SqliteMovieRepository, db_path: Path
    ) -> None:
        """Reads never queue behind a write: here the write waits for the lock another
        process holds, and a read of this store answers meanwhile (WAL lets it)."""
        movie = make_movie()
        await repository.add(movie)
        with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process's write, not committed yet
            adding = asyncio.create_task(repository.add(make_movie("Queued")))
            try:
                await asyncio.sleep(0)  # the write starts and waits for the lock
                assert await repository.get(movie.id) == movie
                assert not adding.done()
            finally:
                other.execute("COMMIT")
                await asyncio.wait([adding])
        await adding  # it commits once the lock is free
        assert len(await repository.read(None, 10)) == 2

    async def test_unopened_or_closed_store_is_unavailable(self, db_path: Path) -> None:
        store = SqliteMovieRepository(db_path)
        with pytest.raises(BackendUnavailable, match="store"):
            await store.ping()
        await store.start()
        await store.close()
        with pytest.raises(BackendUnavailable, match="store"):
            await store.get("anything")
        await store.close()

    async def test_unusable_path_is_unavailable(self, tmp_path: Path) -> None:
        (tmp_path / "taken").mkdir()
        store = SqliteMovieRepository(tmp_path / "taken")
        with pytest.raises(BackendUnavailable, match="store"):
            await store.start()
        await store.close()

    async def test_a_file_that_is_not_a_database_is_unavailable(self, tmp_path: Path) -> None:
        path = tmp_path / "garbage.sqlite3"
        path.write_bytes(b"this is not an SQLite database" * 100)
        store = SqliteMovieRepository(path)
        with pytest.raises(BackendUnavailable, match="store"):
            await store.start()
        await store.close()
