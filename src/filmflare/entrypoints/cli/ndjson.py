"""Newline-delimited JSON: one movie object per line, blank lines skipped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from filmflare.entrypoints import strict_json
from filmflare.entrypoints.cli.rows import NOT_UTF8, Row

_BOM = b"\xef\xbb\xbf"


def ndjson_rows(stream: BinaryIO) -> Iterator[Row]:
    """Each non-blank line decoded on its own, so one bad line costs only itself."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(_BOM)
        if not raw.strip():
            continue
        try:  # the reason every reader gives for such a row, rather than orjson's
            raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, NOT_UTF8
            continue
        try:
            value = strict_json.loads(raw)
        except strict_json.InvalidJson as error:
            column = f" (column {error.column})" if error.column is not None else ""
            value = f"malformed JSON: {error.reason}{column}"
        yield number, value
