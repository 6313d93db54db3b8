"""Generation counters every process of one host sees: a small file mapped into memory.

Each worker process of ``filmflare serve`` (and ``filmflare import`` beside it) keeps its own
memory cache, but they all map this file, so a bump made by one retires the entries of every
other at once, with no Redis. A read is one load from shared memory; a bump takes an
exclusive ``flock`` on the file for its read-modify-write, so concurrent bumps in several
processes never lose one.

Counters are slots chosen by a stable hash of the generation's name. Two names may share a
slot: a bump of one then also retires the other's entries, which costs a miss, never a stale
read (a counter only grows, and readers compare for equality).
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

SLOTS = 8192
_COUNTER = struct.Struct("<Q")
_SIZE = SLOTS * _COUNTER.size


class Generations:
    """Counters in the file at ``path`` (created when missing), or in this process only
    (``path=None``). ``open`` before use, ``close`` after."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._fd: int | None = None
        self._memory: mmap.mmap | bytearray = bytearray(_SIZE)
        self._slots: dict[str, int] = {}

    def open(self) -> None:
        if self._path is None or self._fd is not None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with _locked(fd):
                if os.fstat(fd).st_size < _SIZE:  # new (or from an older layout): zeros
                    os.ftruncate(fd, _SIZE)
            self._memory = mmap.mmap(fd, _SIZE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def close(self) -> None:
        if isinstance(self._memory, mmap.mmap):
            self._memory.close()
        self._memory = bytearray(_SIZE)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def read(self, name: str) -> int:
        """The counter's value; 0 until it is first bumped."""
        value: int = _COUNTER.unpack_from(self._memory, self._slot(name))[0]
        return value

    def bump(self, name: str) -> int:
        """Add one, atomically across processes; returns the new value."""
        offset = self._slot(name)
        with _locked(self._fd):
            value: int = _COUNTER.unpack_from(self._memory, offset)[0] + 1
            _COUNTER.pack_into(self._memory, offset, value)
        return value

    def _slot(self, name: str) -> int:
        offset = self._slots.get(name)
        if offset is None:
            offset = zlib.crc32(name.encode()) % SLOTS * _COUNTER.size
            if len(self._slots) < SLOTS * 4:  # the names in use are a small, fixed set
                self._slots[name] = offset
        return offset


@contextlib.contextmanager
def _locked(fd: int | None) -> Iterator[None]:
    if fd is None:  # in this process only: one event loop, no lock needed
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
