"""One aiosqlite connection per process, shared by every request, with explicit transactions.

Statements of concurrent coroutines would interleave on the shared connection, and a read
could see another coroutine's uncommitted write, so every transaction and every read holds
the lock. Writes take the database lock up front (``BEGIN IMMEDIATE``) so that two
processes never deadlock upgrading a read lock; ``busy_timeout`` makes them queue instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from filmflare.adapters.sqlite.schema import PRAGMAS, STATEMENTS
from filmflare.domain.errors import BackendUnavailable

BACKEND = "store"


class Database:
    """The connection, opened by ``open`` and closed by ``close``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if self._connection is not None:
            return
        self._lock = asyncio.Lock()  # bound to the loop that starts us, not the one that built us
        try:
            # Probe first with plain sqlite3: aiosqlite leaks its worker thread's callback
            # into a closed event loop when the connect itself fails.
            await asyncio.to_thread(_probe, self._path)
            # isolation_level=None: no implicit transactions; we BEGIN and COMMIT ourselves.
            connection = await aiosqlite.connect(self._path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise BackendUnavailable(BACKEND, f"cannot open {self._path}: {error}") from error
        try:
            for pragma in PRAGMAS:
                await connection.execute(pragma)
        except sqlite3.Error as error:
            await connection.close()
            raise BackendUnavailable(BACKEND, f"cannot use {self._path}: {error}") from error
        self._connection = connection

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            async with self._lock:
                await connection.close()

    async def create_schema(self) -> None:
        async with self.transaction() as connection:
            for statement in STATEMENTS:
                await connection.execute(statement)

    async def fetch(self, sql: str, parameters: Sequence[Any] = ()) -> list[Sequence[Any]]:
        """Every row of a read-only query."""
        async with self._lock:
            connection = self._require()
            try:
                return list(await connection.execute_fetchall(sql, parameters))
            except sqlite3.Error as error:
                raise BackendUnavailable(BACKEND, str(error)) from error

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        A ``sqlite3.Error`` the block lets through becomes ``BackendUnavailable``.
        """
        async with self._lock:
            connection = self._require()
            try:
                await connection.execute("BEGIN IMMEDIATE")
                yield connection
                await connection.execute("COMMIT")
            except BaseException as error:
                # Also when cancelled: the worker thread may have begun the transaction anyway.
                await _rollback(connection)
                if isinstance(error, sqlite3.Error):
                    raise BackendUnavailable(BACKEND, str(error)) from error
                raise

    def _require(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise BackendUnavailable(BACKEND, "the SQLite store is not open")
        return self._connection


async def _rollback(connection: aiosqlite.Connection) -> None:
    # The rollback fails harmlessly when COMMIT already ended the transaction.
    with contextlib.suppress(sqlite3.Error, ValueError):
        await connection.execute("ROLLBACK")


def _probe(path: Path) -> None:
    """Raise unless ``path`` is (or can become) an SQLite database in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    try:
        for pragma in PRAGMAS:
            connection.execute(pragma)
    finally:
        connection.close()
