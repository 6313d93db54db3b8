"""Open an import source and read it as rows: JSON (array or lines), NDJSON or CSV.

Every reader streams: rows are decoded as the import takes them, never all at once.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import BinaryIO

from filmflare.entrypoints.cli.csv_rows import csv_rows
from filmflare.entrypoints.cli.json_array import json_array_rows
from filmflare.entrypoints.cli.ndjson import ndjson_rows
from filmflare.entrypoints.cli.rows import Row, UnreadableInput

FORMATS = ("json", "ndjson", "csv")
STDIN = "-"
_SUFFIXES = {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv"}
_SPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def guess_format(source: str) -> str | None:
    """The format a file name implies; standard input is JSON (an array or lines)."""
    if source == STDIN:
        return "json"
    return _SUFFIXES.get(PurePath(source).suffix.lower())


@contextmanager
def open_rows(source: str, fmt: str, stdin: BinaryIO | None = None) -> Iterator[Iterator[Row]]:
    """Rows of ``source`` (a path, or ``-`` for ``stdin``), closed when the block ends.

    Raises ``UnreadableInput`` before any row when the source cannot be read at all.
    """
    if source == STDIN:
        yield read_rows(stdin or sys.stdin.buffer, fmt)
        return
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed below, after the rows are read
    except OSError as error:
        raise UnreadableInput(f"cannot open {source}: {error.strerror or error}") from None
    with stream:
        yield read_rows(stream, fmt)


def read_rows(stream: BinaryIO, fmt: str) -> Iterator[Row]:
    """Rows of a binary stream; ``json`` accepts an array or one object per line."""
    if fmt == "ndjson":
        return ndjson_rows(stream)
    if fmt == "csv":
        return csv_rows(_text(stream, newline=""))
    if fmt != "json":
        raise ValueError(f"unknown format {fmt!r}")
    head, stream = _peek(stream)
    if head != b"[":
        return ndjson_rows(stream)
    return json_array_rows(_text(stream))


def _text(stream: BinaryIO, newline: str | None = None) -> io.TextIOWrapper:
    # Bytes that are not UTF-8 become lone surrogates, and the readers reject the one row
    # that holds them rather than stopping at the first.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline=newline)


def _peek(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first byte that is not white space, and a stream that still starts at the start."""
    seen = b""
    while True:
        chunk = stream.read(1 << 16)
        seen += chunk
        content = seen.removeprefix(_BOM).lstrip(_SPACE)
        if content or not chunk:
            replay = io.BufferedReader(_Replay(seen, stream))
            return content[:1], replay


class _Replay(io.RawIOBase):
    """A stream that gives back bytes already read from another, then the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


__all__ = ["FORMATS", "STDIN", "Row", "UnreadableInput", "guess_format", "open_rows", "read_rows"]
