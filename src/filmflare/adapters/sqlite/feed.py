"""The change feed: an outbox table written in the same transaction as each write.

Positions are the table's AUTOINCREMENT key written as decimal text; they are compared as
integers here, never as strings. A consumer's checkpoint only moves forward, and changes
every known consumer has passed are pruned when a checkpoint advances.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from filmflare.adapters.sqlite.database import Database
from filmflare.adapters.sqlite.rows import from_snapshot, to_snapshot
from filmflare.domain.movie import Movie
from filmflare.ports.repository import Change

# (movie id, version, state after the write or None for a deletion)
Entry = tuple[str, int, Movie | None]
# The same, ready for the ``changes`` table: the state as its JSON snapshot.
Record = tuple[str, int, str | None]


def records(entries: Sequence[Entry]) -> list[Record]:
    """The change records of ``entries``, made before the transaction so that it is short."""
    return [(movie_id, version, to_snapshot(movie)) for movie_id, version, movie in entries]


def record(connection: sqlite3.Connection, made: Sequence[Record]) -> None:
    """Append change records inside the caller's open transaction."""
    connection.executemany("INSERT INTO changes (movie_id, version, movie) VALUES (?, ?, ?)", made)


def parse_position(position: str) -> int:
    """A position this feed handed out; anything else is a ``ValueError``."""
    value = int(position)
    if value < 0 or str(value) != position:
        raise ValueError(f"not a change feed position: {position!r}")
    return value


class SqliteChangeFeed:
    """``ChangeFeed`` over the ``changes`` and ``checkpoints`` tables."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def read(self, after: str | None, limit: int) -> Sequence[Change]:
        if limit <= 0:  # a negative LIMIT means "no limit" to SQLite
            return []
        start = 0 if after is None else parse_position(after)
        rows = await self._db.fetch(
            "SELECT position, movie_id, version, movie FROM changes"
            " WHERE position > ? ORDER BY position LIMIT ?",
            (start, limit),
        )
        return [
            Change(str(position), movie_id, version, from_snapshot(snapshot))
            for position, movie_id, version, snapshot in rows
        ]

    async def checkpoint(self, consumer: str) -> str | None:
        rows = await self._db.fetch(
            "SELECT position FROM checkpoints WHERE consumer = ?", (consumer,)
        )
        return str(rows[0][0]) if rows else None

    async def advance(self, consumer: str, position: str) -> None:
        value = parse_position(position)

        def move(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO checkpoints (consumer, position) VALUES (?, ?)"
                " ON CONFLICT (consumer) DO UPDATE"
                " SET position = max(position, excluded.position)",
                (consumer, value),
            )
            connection.execute(
                "DELETE FROM changes WHERE position <= (SELECT min(position) FROM checkpoints)"
            )

        await self._db.write(move)
