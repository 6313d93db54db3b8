"""``MovieRepository`` and ``ChangeFeed`` on one SQLite file (the embedded store).

Every write commits with its change record in one transaction, run on the writer's thread
in one go (``Database.write``). ``replace`` and ``delete`` check the version inside that
transaction, so concurrent writers, in this process or in another one sharing the file, can
never both win. A unique index keeps ``external_id`` unique; a write it refuses is
``ExternalIdTaken``, naming the movie that holds the value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from filmflare.adapters.sqlite import feed
from filmflare.adapters.sqlite.database import Database
from filmflare.adapters.sqlite.imports import SqliteImports
from filmflare.adapters.sqlite.rows import COLUMNS, from_row
from filmflare.adapters.sqlite.schema import SELECT_MOVIES
from filmflare.adapters.sqlite.writes import Inserts, Update
from filmflare.domain.errors import MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie
from filmflare.ports.repository import Change


class SqliteMovieRepository:
    """The store and its change feed in the SQLite database at ``path``.

    ``start`` opens the connections (creating the directory and the schema); ``close``
    closes them. Until started, and after closing, every call is ``BackendUnavailable``.
    """

    def __init__(self, path: Path) -> None:
        self._db = Database(path)
        self._feed = feed.SqliteChangeFeed(self._db)
        self.imports = SqliteImports(self._db)

    async def start(self) -> None:
        await self._db.open()
        await self.ensure()

    async def close(self) -> None:
        await self._db.close()

    async def ensure(self) -> None:
        await self._db.create_schema()

    async def ping(self) -> None:
        # schema_version is read from the file header, so this touches the database file.
        await self._db.fetch("PRAGMA schema_version")

    async def get(self, movie_id: str) -> Movie | None:
        rows = await self._db.fetch(SELECT_MOVIES + " WHERE id = ?", (movie_id,))
        return from_row(rows[0]) if rows else None

    async def add(self, movie: Movie) -> None:
        await self.add_many([movie])

    async def add_many(self, movies: Sequence[Movie]) -> None:
        """All or nothing: one id that exists or ever existed fails the batch (``DuplicateId``)."""
        if not movies:
            return
        inserts = Inserts.of(movies)
        changes = feed.records([(m.id, m.version, m) for m in movies])

        def insert(connection: sqlite3.Connection) -> None:
            inserts.run(connection)
            feed.record(connection, changes)

        await self._db.write(insert)

    async def replace(self, movie: Movie, previous: Movie) -> None:
        """``previous`` is not needed here: the unique index moves with the row."""
        update = Update.of(movie)
        changes = feed.records([(movie.id, movie.version, movie)])

        def store(connection: sqlite3.Connection) -> None:
            update.run(connection)
            feed.record(connection, changes)

        await self._db.write(store)

    async def delete(self, movie_id: str, expected_version: int | None) -> Movie:
        def remove(connection: sqlite3.Connection) -> Sequence[Any]:
            row: Sequence[Any] | None = connection.execute(
                SELECT_MOVIES + " WHERE id = ?", (movie_id,)
            ).fetchone()
            if row is None:
                raise MovieNotFound(movie_id)
            version = int(row[COLUMNS.index("version")])
            if expected_version is not None and version != expected_version:
                raise VersionConflict(movie_id, expected_version, version)
            connection.execute("DELETE FROM movies WHERE id = ?", (movie_id,))
            # The tombstone outranks every state it removes.
            feed.record(connection, [(movie_id, version + 1, None)])
            return row

        return from_row(await self._db.write(remove))

    async def count(self) -> int:
        rows = await self._db.fetch("SELECT count(*) FROM movies")
        return int(rows[0][0])

    async def scan(self, batch_size: int = 500) -> AsyncIterator[Sequence[Movie]]:
        """Keyset pages by id, each its own short read, so writers are never held up."""
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        last = ""
        while True:
            rows = await self._db.fetch(
                SELECT_MOVIES + " WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
            )
            if not rows:
                return
            movies = [from_row(row) for row in rows]
            yield movies
            last = movies[-1].id

    async def read(self, after: str | None, limit: int) -> Sequence[Change]:
        return await self._feed.read(after, limit)

    async def checkpoint(self, consumer: str) -> str | None:
        return await self._feed.checkpoint(consumer)

    async def advance(self, consumer: str, position: str) -> None:
        await self._feed.advance(consumer, position)
