"""The SQLite schema: movies, every id ever used, the change feed, its checkpoints and
the marks of imports.

Created by ``ensure`` (``filmflare init``) and by ``start``; every statement is idempotent.
A file made before a column existed gets it from ``COLUMNS_ADDED`` (``ALTER TABLE`` is not
idempotent, so the caller adds only the columns ``PRAGMA table_info`` does not list).
"""

from __future__ import annotations

from filmflare.adapters.sqlite.rows import COLUMNS, quoted

# Applied on every connection: WAL lets readers in other processes run beside the writer;
# NORMAL sync is durable across application crashes in WAL mode and much faster than FULL.
# No connection checkpoints the WAL as it commits: a checkpoint copies every page written
# since the last one into the database file and syncs it, which in a large catalog's file
# (writes spread over many pages) held a write for 0.4 s every thousand or so; each process
# checkpoints on a connection of its own instead (``Database``).
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA wal_autocheckpoint = 0",
)

_TYPES = {
    "id": "TEXT PRIMARY KEY REFERENCES movie_ids (id)",
    "title": "TEXT NOT NULL",
    "year": "INTEGER",
    "genres": "TEXT NOT NULL",
    "directors": "TEXT NOT NULL",
    "cast": "TEXT NOT NULL",
    "runtime_minutes": "INTEGER",
    "rating": "REAL",
    "votes": "INTEGER",
    "version": "INTEGER NOT NULL CHECK (version >= 1)",
    "created_at": "TEXT NOT NULL",
    "updated_at": "TEXT NOT NULL",
}
_MOVIE_COLUMNS = ",\n    ".join(f'"{name}" {_TYPES.get(name, "TEXT")}' for name in COLUMNS)

TABLES = (
    # Ids are never reused, so a deleted movie's id stays here after its row is gone.
    "CREATE TABLE IF NOT EXISTS movie_ids (id TEXT PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TABLE IF NOT EXISTS movies (\n    {_MOVIE_COLUMNS}\n)",
    # AUTOINCREMENT: positions must keep growing even after pruning has emptied the table.
    """CREATE TABLE IF NOT EXISTS changes (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    movie_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    movie TEXT
)""",
    """CREATE TABLE IF NOT EXISTS checkpoints (
    consumer TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID""",
    # How far into each imported file (by its content's digest) the import has committed.
    """CREATE TABLE IF NOT EXISTS import_marks (
    source TEXT PRIMARY KEY,
    line INTEGER NOT NULL
) WITHOUT ROWID""",
)
#: Columns of ``movies`` newer than the first schema, each with its definition.
COLUMNS_ADDED = (("external_id", "TEXT"),)
INDEXES = (
    # Unique among stored movies, compared exactly (BINARY); NULLs never collide.
    "CREATE UNIQUE INDEX IF NOT EXISTS movies_external_id ON movies (external_id)",
)

# Statements built from Movie's field names, never from input (hence the S608 waivers).
_NAMES = quoted(COLUMNS)
_MARKS = ", ".join("?" * len(COLUMNS))
SELECT_MOVIES = f"SELECT {_NAMES} FROM movies"  # noqa: S608
INSERT_MOVIES = f"INSERT INTO movies ({_NAMES}) VALUES ({_MARKS})"  # noqa: S608
UPDATE_MOVIE = (  # every column but the id, then the id and the version it must still hold
    "UPDATE movies SET "  # noqa: S608
    + ", ".join(f'"{name}" = ?' for name in COLUMNS[1:])
    + " WHERE id = ? AND version = ?"
)
