"""Where the index lives: generations of tantivy indexes, in RAM or under one directory.

On disk, ``CURRENT`` names the generation directory that answers queries; a rebuild fills a
new generation and swaps the name atomically. Every process sharing the directory (the
server, ``filmflare import``, ``filmflare reindex``) follows the swap and sees the others'
commits on its next query, and takes tantivy's writer lock only for the length of one write,
so they can take turns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import tantivy

from filmflare.adapters.embedded_search.generation import (
    Generation,
    IndexOutdated,
    IndexUnavailable,
)

_POINTER = "CURRENT"
_STALE = 3600.0  # an unfinished generation this old is an abandoned rebuild


class IndexHome:
    """The generations under ``path`` (or one in RAM) and which one is current."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._pointer: str | None = None

    def open(self, create: bool) -> Generation | None:
        """The current generation, made first when missing and ``create`` is set."""
        with self._lock:
            if self._path is None:
                if self._current is None and create:
                    self._current = Generation(None, create=True)
                return self._current
            self._path.mkdir(parents=True, exist_ok=True)
            self._follow()
            if self._current is None and create:
                generation = self._new()
                self._point_at(generation)
                self._current = generation
            return self._current

    def ensure(self) -> bool:
        """Make a current generation when there is none, or when the current one was made
        with another schema (``IndexOutdated``); True when it made one, which is empty."""
        with self._lock:
            if self._path is None:
                if self._current is not None:
                    return False
                self._current = Generation(None, create=True)
                return True
            self._path.mkdir(parents=True, exist_ok=True)
            try:
                self._follow()
            except IndexOutdated:
                self._current = None
            if self._current is not None:
                return False
            generation = self._new()
            self._point_at(generation)
            self._current = generation
            return True

    def current(self) -> Generation | None:
        """The generation queries should use now (following another process's rebuild)."""
        if self._path is None:
            return self._current
        with self._lock:
            self._follow()
            return self._current

    def new_generation(self) -> Generation:
        with self._lock:
            return Generation(None, create=True) if self._path is None else self._new()

    @contextlib.contextmanager
    def writable(self) -> Iterator[tuple[Generation, tantivy.IndexWriter]]:
        """The current generation with its writer lock, sure to stay current meanwhile."""
        while True:
            generation = self.current()
            if generation is None:
                raise IndexUnavailable("the search index does not exist; run filmflare init")
            with generation.writer() as writer:
                if self.current() is generation:
                    generation.refresh()
                    yield generation, writer
                    return

    def promote(self, generation: Generation) -> None:
        """Make ``generation`` current; call while holding the current one's writer lock."""
        with self._lock:
            replaced = self._current
            if self._path is not None:
                self._point_at(generation)
            self._current = generation
        if replaced is not None and replaced.directory is not None:
            shutil.rmtree(replaced.directory, ignore_errors=True)

    def forget(self) -> None:
        with self._lock:
            self._current = None
            self._pointer = None

    def _follow(self) -> None:
        assert self._path is not None
        try:
            name = (self._path / _POINTER).read_text().strip()
        except FileNotFoundError:
            return
        if name != self._pointer or self._current is None:
            self._current = Generation(self._path / name, create=False)
            self._pointer = name

    def _new(self) -> Generation:
        assert self._path is not None
        self._sweep()
        return Generation(self._path / f"g{time.time_ns():x}", create=True)

    def _point_at(self, generation: Generation) -> None:
        assert self._path is not None
        assert generation.directory is not None
        temporary = self._path / f"{_POINTER}.{os.getpid()}.{time.time_ns()}.tmp"
        with open(temporary, "w") as file:
            file.write(generation.directory.name)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self._path / _POINTER)
        self._pointer = generation.directory.name

    def _sweep(self) -> None:
        """Remove generations left by rebuilds that died before finishing."""
        assert self._path is not None
        now = time.time()
        for child in self._path.glob("g*"):
            with contextlib.suppress(FileNotFoundError):  # another process swept it first
                if child.name != self._pointer and now - child.stat().st_mtime > _STALE:
                    shutil.rmtree(child, ignore_errors=True)
