"""The SQLite store's WAL is checkpointed on a connection of its own, never by a write."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from filmflare.adapters.sqlite import SqliteMovieRepository, database
from filmflare.domain.movie import Movie, MovieData

pytestmark = pytest.mark.anyio
NOW = datetime(2024, 5, 17, tzinfo=UTC)


def wal_frames(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames of them already copied into the database file)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames, copied


@contextlib.asynccontextmanager
async def checkpointing(
    every: float, directory: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SqliteMovieRepository, Path]]:
    """A started store whose checkpointer runs ``every`` seconds after a write, and its file."""
    monkeypatch.setattr(database, "CHECKPOINT_SECONDS", every)
    path = directory / "store.sqlite3"
    store = SqliteMovieRepository(path)
    await store.start()
    try:
        yield store, path
    finally:
        await store.close()


async def test_writes_leave_the_wal_to_the_checkpointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with checkpointing(3600.0, tmp_path, monkeypatch) as (store, path):
        for n in range(1500):  # a commit each: more pages than SQLite's own checkpoint waits for
            await store.add(Movie.create(f"m{n:04d}", MovieData(title=f"Heat {n}"), NOW))
        frames, _copied = wal_frames(path)
        assert frames > 1000, "a write checkpointed the WAL, and waited for the copy"


async def test_the_checkpointer_copies_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with checkpointing(0.01, tmp_path, monkeypatch) as (store, path):
        await store.add(Movie.create("m1", MovieData(title="Heat"), NOW))
        for _ in range(500):
            await asyncio.sleep(0.01)
            if in_the_file_alone(path, tmp_path / "copy.sqlite3"):
                break
        assert in_the_file_alone(path, tmp_path / "copy.sqlite3")


def in_the_file_alone(path: Path, copy: Path) -> bool:
    """Whether the database file holds movie m1 without its WAL (copied there)."""
    copy.write_bytes(path.read_bytes())
    with contextlib.closing(sqlite3.connect(copy)) as connection:
        try:
            found: tuple[int] = connection.execute("SELECT count(*) FROM movies").fetchone()
        except sqlite3.OperationalError:  # not even the table yet
            return False
    return found == (1,)
