"""Newline-delimited JSON: one movie object per line, blank lines skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from filmflare.entrypoints.cli.rows import NOT_UTF8, Row

_BOM = b"\xef\xbb\xbf"


def ndjson_rows(stream: BinaryIO) -> Iterator[Row]:
    """Each non-blank line decoded on its own, so one bad line costs only itself."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(_BOM)
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, NOT_UTF8
            continue
        try:
            value: object = json.loads(text)
        except json.JSONDecodeError as error:
            value = f"malformed JSON: {error.msg} (column {error.colno})"
        yield number, value
