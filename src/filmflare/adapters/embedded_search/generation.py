"""One generation of the index: a tantivy index in RAM or in a directory.

Readers reload when the directory's ``meta.json`` changes, so they see commits made by
other processes; a writer holds tantivy's lock for one write only, so processes take turns.
Each state loaded has a ``version``, which moves whenever a reload loads a new commit (not
when a merge rewrote ``meta.json``, which changes no document): what the answers kept across
commits (``answers``) are labelled with.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import tantivy

from filmflare.adapters.embedded_search.schema import SCHEMA_VERSION, build_schema, prepare

_WRITER_HEAP = 32_000_000
_LOCK_WAIT = 10.0  # seconds to wait for another process's write before giving up
_SCHEMA_MARK = "SCHEMA"  # a generation's schema version, written when it is made


class IndexUnavailable(Exception):
    """The index cannot be used now: missing, or locked by another process for too long."""


class IndexOutdated(IndexUnavailable):
    """The generation was made with another schema version: ``filmflare init`` rebuilds it."""


class Generation:
    """One tantivy index; ``directory`` is None in RAM."""

    def __init__(self, directory: Path | None, create: bool) -> None:
        self.directory = directory
        self.schema = build_schema()
        if directory is not None:
            if not create and not (directory / "meta.json").is_file():
                raise FileNotFoundError(f"no search index in {directory}")
            if not create and _schema_version(directory) != SCHEMA_VERSION:
                raise IndexOutdated(
                    "the search index was built by another version of FilmFlare;"
                    " run filmflare init to rebuild it"
                )
            directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, None if directory is None else str(directory))
        if create and directory is not None:
            (directory / _SCHEMA_MARK).write_text(f"{SCHEMA_VERSION}\n")
        prepare(self.index)
        self.index.config_reader(reload_policy="manual")
        self._loading = threading.Lock()
        self._seen = self._meta_stamp()
        self._commit = self._opstamp()
        self.version = 0

    def _meta_stamp(self) -> tuple[int, int] | None:
        if self.directory is None:
            return None
        stat = (self.directory / "meta.json").stat()
        return stat.st_ino, stat.st_mtime_ns

    def _opstamp(self) -> int | None:
        """The last commit that ``meta.json`` names (None in RAM, or when unreadable)."""
        if self.directory is None:
            return None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return int(json.loads((self.directory / "meta.json").read_bytes())["opstamp"])
        return None

    def snapshot(self) -> tuple[int, tantivy.Searcher]:
        """A searcher that includes every commit so far, ours or another process's, and the
        version of the state it sees: never newer than that state, since the version moves
        only once a reload has ended."""
        with self._loading:
            stamp = self._meta_stamp()
            if stamp != self._seen:
                self._load(stamp)
            return self.version, self.index.searcher()

    def searcher(self) -> tantivy.Searcher:
        return self.snapshot()[1]

    def reload(self) -> None:
        """Load our own commit."""
        with self._loading:
            self._load(self._meta_stamp())

    def refresh(self) -> None:
        """Load whatever another process committed (called holding the writer lock, before
        writing). In RAM every commit is this process's own, loaded as it is made."""
        if self.directory is not None:
            with self._loading:
                self._load(self._meta_stamp())

    def _load(self, stamp: tuple[int, int] | None) -> None:
        commit = self._opstamp()  # read first: the version is never newer than the state
        self.index.reload()
        self._seen = stamp
        if commit is None or commit != self._commit:
            self.version += 1
        self._commit = commit

    @contextlib.contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
        """The writer, locked for one write; what was not committed is discarded."""
        deadline = time.monotonic() + _LOCK_WAIT
        while True:
            try:
                writer = self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
                break
            except ValueError as error:
                if "LockBusy" not in str(error) or time.monotonic() > deadline:
                    raise IndexUnavailable(str(error)) from error
                time.sleep(0.02)
        try:
            yield writer
        finally:  # dropping the writer discards what was not committed and frees the lock
            writer.wait_merging_threads()


def _schema_version(directory: Path) -> int | None:
    """The schema version a generation was made with (None before versions were marked)."""
    try:
        return int((directory / _SCHEMA_MARK).read_text())
    except (FileNotFoundError, ValueError):
        return None
