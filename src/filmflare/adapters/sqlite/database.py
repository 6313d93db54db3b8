"""Connections to the SQLite file: a few that read, one that writes, each on its own thread.

A write is one job on the writer's thread: ``BEGIN IMMEDIATE``, the caller's statements and
``COMMIT``, with no await in between. The write lock is held for as long as SQLite needs,
not for turns of a busy event loop, and no statement of another coroutine can slip into the
transaction. Reads never queue behind a write, nor a write behind reads: in WAL mode a
reader sees the last commit while the writer writes. Each read is a statement of its own, so
it sees every write committed before it began, in this process or in another one.

``BEGIN IMMEDIATE`` takes the database lock up front so that two processes never deadlock
upgrading a read lock; ``busy_timeout`` makes them queue instead.

The WAL is checkpointed on a connection of its own, every ``CHECKPOINT_SECONDS`` after a
write, never by a committing write (``schema.PRAGMAS``): a passive checkpoint, which never
waits for readers or writers, so a write never waits for one either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from filmflare.adapters.sqlite.schema import COLUMNS_ADDED, INDEXES, PRAGMAS, TABLES
from filmflare.domain.errors import BackendUnavailable

BACKEND = "store"
CHECKPOINT_SECONDS = 1.0
log = logging.getLogger(__name__)
# Two: under load one can wait for the GIL while the other runs SQLite (measured: more reads
# a second than with one); reads are short, so more would only add threads to the GIL.
READERS = 2
T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


class Database:
    """The connections, opened by ``open`` and closed by ``close``."""

    def __init__(self, path: Path, readers: int = READERS) -> None:
        self._path = path
        self._size = readers
        self._readers: _Connections | None = None
        self._writer: _Connections | None = None
        self._checkpointer: _Connections | None = None
        self._checkpoints: asyncio.Task[None] | None = None
        self._written: asyncio.Event | None = None  # set by a write since the last checkpoint

    async def open(self) -> None:
        if self._writer is not None:
            return
        readers = _Connections(self._path, self._size, "sqlite-read")
        writer = _Connections(self._path, 1, "sqlite-write")
        checkpointer = _Connections(self._path, 1, "sqlite-checkpoint")
        try:
            await writer.open()  # first: it may create the file and switch it to WAL
            await readers.open()
            await checkpointer.open()
        except BaseException:
            for connections in (readers, writer, checkpointer):
                await connections.close()
            raise
        self._readers, self._writer, self._checkpointer = readers, writer, checkpointer
        self._written = asyncio.Event()
        self._checkpoints = asyncio.get_running_loop().create_task(
            self._checkpoint_forever(checkpointer, self._written), name="sqlite-checkpoints"
        )

    async def close(self) -> None:
        readers, writer, checkpointer = self._readers, self._writer, self._checkpointer
        self._readers = self._writer = self._checkpointer = None
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoints
            self._checkpoints = None
        for connections in (readers, writer, checkpointer):
            if connections is not None:
                await connections.close()

    async def create_schema(self) -> None:
        def create(connection: sqlite3.Connection) -> None:
            for statement in TABLES:
                connection.execute(statement)
            present = {row[1] for row in connection.execute("PRAGMA table_info(movies)")}
            for name, kind in COLUMNS_ADDED:
                if name not in present:
                    connection.execute(f'ALTER TABLE movies ADD COLUMN "{name}" {kind}')
            for statement in INDEXES:
                connection.execute(statement)

        await self.write(create)

    async def fetch(self, sql: str, parameters: Sequence[Any] = ()) -> list[Sequence[Any]]:
        """Every row of a read-only query."""

        def read(connection: sqlite3.Connection) -> list[Sequence[Any]]:
            return list(connection.execute(sql, parameters).fetchall())

        return await _require(self._readers).run(read)

    async def write(self, work: Work[T]) -> T:
        """``work(connection)`` in a write transaction on the writer's thread: committed when
        it returns, rolled back if it raises. A ``sqlite3.Error`` it lets through becomes
        ``BackendUnavailable``; any other exception (a domain error) is raised as it is."""
        done = await _require(self._writer).run(partial(_transaction, work))
        if self._written is not None:
            self._written.set()
        return done

    @staticmethod
    async def _checkpoint_forever(checkpointer: _Connections, written: asyncio.Event) -> None:
        while True:
            await written.wait()
            await asyncio.sleep(CHECKPOINT_SECONDS)
            written.clear()
            try:
                await checkpointer.run(_checkpoint)
            except BackendUnavailable as error:  # the next write brings another try
                log.warning("WAL checkpoint failed: %s", error)


class _Connections:
    """``size`` connections to ``path`` on as many threads, each used by one job at a time."""

    def __init__(self, path: Path, size: int, name: str) -> None:
        self._path = path
        self._size = size
        self._pool = ThreadPoolExecutor(size, thread_name_prefix=name)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._opened: list[sqlite3.Connection] = []

    async def open(self) -> None:
        for _ in range(self._size):
            connection = await self._call(partial(_connect, self._path))
            self._opened.append(connection)
            self._idle.put(connection)

    async def run(self, work: Work[T]) -> T:
        def job() -> T:
            connection = self._idle.get()  # never waits: a job per thread, a connection each
            try:
                return work(connection)
            finally:
                self._idle.put(connection)

        return await self._call(job)

    async def close(self) -> None:
        # Running jobs finish first (a write commits); queued ones run too, then all close.
        opened, self._opened = self._opened, []

        def shut() -> None:
            self._pool.shutdown(wait=True)
            for connection in opened:
                connection.close()

        await asyncio.to_thread(shut)

    async def _call(self, job: Callable[[], T]) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, job)
        except sqlite3.Error as error:
            raise BackendUnavailable(BACKEND, str(error)) from error
        except RuntimeError as error:  # "cannot schedule new futures after shutdown"
            raise BackendUnavailable(BACKEND, "the SQLite store is closed") from error


def _require(connections: _Connections | None) -> _Connections:
    if connections is None:
        raise BackendUnavailable(BACKEND, "the SQLite store is not open")
    return connections


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` (made, and in WAL mode, when missing) with every pragma set."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; writes BEGIN and COMMIT themselves.
        # check_same_thread=False: a pool thread uses it, one job at a time; close does not.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise BackendUnavailable(BACKEND, f"cannot open {path}: {error}") from error
    try:
        for pragma in PRAGMAS:
            connection.execute(pragma)
    except sqlite3.Error as error:
        connection.close()
        raise BackendUnavailable(BACKEND, f"cannot use {path}: {error}") from error
    return connection


def _checkpoint(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _transaction(work: Work[T], connection: sqlite3.Connection) -> T:
    connection.execute("BEGIN IMMEDIATE")
    try:
        done = work(connection)
        connection.execute("COMMIT")
    except BaseException:
        # Fails harmlessly when a failed COMMIT has already ended the transaction.
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    return done
