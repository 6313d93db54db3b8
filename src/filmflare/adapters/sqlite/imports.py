"""``ImportStore`` on the SQLite file: lookups through the unique indexes, and each batch
committed in one transaction with its change records and its mark."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from filmflare.adapters.sqlite import feed
from filmflare.adapters.sqlite.database import Database
from filmflare.adapters.sqlite.rows import from_row
from filmflare.adapters.sqlite.schema import SELECT_MOVIES
from filmflare.adapters.sqlite.writes import Inserts, Update
from filmflare.domain.movie import Movie
from filmflare.ports.imports import ImportMark, ImportWrite

_CHUNK = 500  # values per IN (…), well under SQLite's limit of bound parameters


class SqliteImports:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def holders(self, external_ids: Sequence[str]) -> Mapping[str, Movie]:
        found: dict[str, Movie] = {}
        for movie in await self._movies("external_id", external_ids):
            assert movie.external_id is not None
            found[movie.external_id] = movie
        return found

    async def known_ids(self, ids: Sequence[str]) -> Mapping[str, Movie | None]:
        stored = {movie.id: movie for movie in await self._movies("id", ids)}
        used: dict[str, Movie | None] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT id FROM movie_ids WHERE id IN ({marks})"  # noqa: S608 - marks only
            for (movie_id,) in await self._db.fetch(sql, chunk):
                used[movie_id] = stored.get(movie_id)
        return used

    async def commit(self, writes: Sequence[ImportWrite], mark: ImportMark | None) -> None:
        inserts = Inserts.of([w.movie for w in writes if w.previous is None])
        updates = [Update.of(w.movie) for w in writes if w.previous is not None]
        changes = feed.records([(w.movie.id, w.movie.version, w.movie) for w in writes])

        def store(connection: sqlite3.Connection) -> None:
            inserts.run(connection)
            for update in updates:
                update.run(connection)
            feed.record(connection, changes)
            if mark is not None:
                connection.execute(
                    "INSERT INTO import_marks (source, line) VALUES (?, ?)"
                    " ON CONFLICT (source) DO UPDATE SET line = max(line, excluded.line)",
                    (mark.source, mark.line),
                )

        await self._db.write(store)

    async def reached(self, source: str) -> int | None:
        rows = await self._db.fetch("SELECT line FROM import_marks WHERE source = ?", (source,))
        return int(rows[0][0]) if rows else None

    async def forget(self, source: str) -> None:
        def drop(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM import_marks WHERE source = ?", (source,))

        await self._db.write(drop)

    async def _movies(self, column: str, values: Sequence[str]) -> list[Movie]:
        """The stored movies whose ``column`` is one of ``values``, through its index."""
        movies: list[Movie] = []
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f'{SELECT_MOVIES} WHERE "{column}" IN ({marks})'
            movies += [from_row(row) for row in await self._db.fetch(sql, chunk)]
        return movies
