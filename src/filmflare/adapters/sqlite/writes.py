"""The statements of a write, run inside the caller's transaction (``Database.write``).

Rows are made before the transaction (``Inserts``, ``Update``), so that it stays short. A
refused write raises the domain's error and the caller's transaction rolls back whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from filmflare.adapters.sqlite.rows import to_row
from filmflare.adapters.sqlite.schema import INSERT_MOVIES, UPDATE_MOVIE
from filmflare.domain.errors import DuplicateId, ExternalIdTaken, MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie, shared_external_id


@dataclass(frozen=True, slots=True)
class Inserts:
    """New movies, with fresh ids."""

    movies: Sequence[Movie]
    ids: list[tuple[str]]
    rows: list[tuple[Any, ...]]

    @classmethod
    def of(cls, movies: Sequence[Movie]) -> Inserts:
        return cls(movies, [(m.id,) for m in movies], [to_row(m) for m in movies])

    def run(self, connection: sqlite3.Connection) -> None:
        """Every id must never have been used (``DuplicateId``), every external id free."""
        try:
            connection.executemany("INSERT INTO movie_ids (id) VALUES (?)", self.ids)
        except sqlite3.IntegrityError as error:
            raise DuplicateId(f"an id of these {len(self.ids)} movies is taken") from error
        try:
            connection.executemany(INSERT_MOVIES, self.rows)
        except sqlite3.IntegrityError as error:
            _raise_taken(connection, self.movies, error)


@dataclass(frozen=True, slots=True)
class Update:
    """``movie`` over the version before it."""

    movie: Movie
    values: tuple[Any, ...]

    @classmethod
    def of(cls, movie: Movie) -> Update:
        return cls(movie, (*to_row(movie)[1:], movie.id, movie.version - 1))

    def run(self, connection: sqlite3.Connection) -> None:
        """The stored version must be the one before (``VersionConflict``, or
        ``MovieNotFound`` when there is none), the external id free."""
        movie = self.movie
        try:
            updated = connection.execute(UPDATE_MOVIE, self.values).rowcount
        except sqlite3.IntegrityError as error:
            _raise_taken(connection, [movie], error)
        if updated == 0:
            row = connection.execute("SELECT version FROM movies WHERE id = ?", (movie.id,))
            current = row.fetchone()
            if current is None:
                raise MovieNotFound(movie.id)
            raise VersionConflict(movie.id, movie.version - 1, int(current[0]))


def _raise_taken(
    connection: sqlite3.Connection, movies: Sequence[Movie], error: sqlite3.IntegrityError
) -> NoReturn:
    """``ExternalIdTaken`` for the conflict that made SQLite refuse ``movies``: two of them
    with one value, or one whose value a stored movie holds; ``error`` itself when neither."""
    if (shared := shared_external_id(movies)) is not None:
        raise ExternalIdTaken(*shared) from error
    for movie in movies:
        if movie.external_id is None:
            continue
        holder = connection.execute(
            "SELECT id FROM movies WHERE external_id = ? AND id <> ?",
            (movie.external_id, movie.id),
        ).fetchone()
        if holder is not None:
            raise ExternalIdTaken(movie.external_id, str(holder[0])) from error
    raise error
