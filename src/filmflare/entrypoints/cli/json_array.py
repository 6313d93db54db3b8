"""Read a JSON array one element at a time, with the line each element starts on.

The file is read in chunks and only the element being decoded is held in memory, so a large
catalog is never loaded whole. A malformed element ends the reading: after it nobody can tell
where the next element starts, so it becomes the last row, an error message. The standard
library finds where each element ends; its value is then read as strict JSON
(``strict_json``), so an element that only that refuses (a repeated member name, NaN) is
rejected alone, as a row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TextIO

from filmflare.entrypoints import strict_json
from filmflare.entrypoints.cli.rows import NOT_UTF8, NOT_UTF8_TEXT, Row, UnreadableInput

_NON_SPACE = re.compile(r"\S")
# A value that ends this close to the end of the buffer may go on in the next chunk (``12``
# of ``123``, ``1`` of ``1e5``); an error this close may be a value cut by the chunk edge.
_LOOKAHEAD = 32


class _Buffer:
    """A window over a text stream that knows the line number of every position in it."""

    def __init__(self, text: TextIO, chunk: int) -> None:
        self._text = text
        self._chunk = chunk
        self.data = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # the line of ``data[self._counted]``
        self._counted = 0

    def line_at(self, index: int) -> int:
        self._line += self.data.count("\n", self._counted, index)
        self._counted = index
        return self._line

    def more(self) -> bool:
        """Append the next chunk, dropping what was consumed; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self._text.read(self._chunk)
        if not chunk:
            self.eof = True
            return False
        self.line_at(self.pos)
        self.data = self.data[self.pos :] + chunk
        self.pos = self._counted = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space (not consumed), or "" at the end."""
        while True:
            match = _NON_SPACE.search(self.data, self.pos)
            if match:
                self.pos = match.start()
                return self.data[self.pos]
            self.pos = len(self.data)
            if not self.more():
                return ""


class _Elements:
    def __init__(self, buffer: _Buffer) -> None:
        self._buffer = buffer
        self._decoder = json.JSONDecoder()

    def __iter__(self) -> Iterator[Row]:
        buffer = self._buffer
        if buffer.peek() == "]":
            buffer.pos += 1
            yield from self._trailing()
            return
        while True:
            line = buffer.line_at(buffer.pos)
            try:
                start = self._decode()
            except json.JSONDecodeError as error:
                yield buffer.line_at(min(error.pos, len(buffer.data))), _stop(error.msg)
                return
            yield line, _strict(buffer.data[start : buffer.pos])
            char = buffer.peek()
            if char == "]":
                buffer.pos += 1
                yield from self._trailing()
                return
            if char != ",":
                found = f"expected ',' or ']' after an element, found {_shown(char)}"
                yield buffer.line_at(buffer.pos), _stop(found)
                return
            buffer.pos += 1
            buffer.peek()

    def _decode(self) -> int:
        """Pass the next value; where it starts in the buffer (which may have moved)."""
        buffer = self._buffer
        while True:
            try:
                _, end = self._decoder.raw_decode(buffer.data, buffer.pos)
            except json.JSONDecodeError as error:
                if _maybe_cut(error, buffer) and buffer.more():
                    continue
                raise
            if len(buffer.data) - end < _LOOKAHEAD and buffer.more():
                continue
            start, buffer.pos = buffer.pos, end
            return start

    def _trailing(self) -> Iterator[Row]:
        char = self._buffer.peek()
        if char:
            found = f"unexpected {_shown(char)} after the closing ']'"
            yield self._buffer.line_at(self._buffer.pos), _stop(found)


def _strict(text: str) -> object:
    """The value of one element's text, or why its row is rejected."""
    if NOT_UTF8_TEXT.search(text):
        return NOT_UTF8
    try:
        return strict_json.loads(text)
    except strict_json.InvalidJson as error:
        return f"malformed JSON: {error.reason}"


def _stop(reason: str) -> str:
    return f"malformed JSON: {reason}; reading stopped here"


def _maybe_cut(error: json.JSONDecodeError, buffer: _Buffer) -> bool:
    return error.msg.startswith("Unterminated string") or (
        len(buffer.data) - error.pos < _LOOKAHEAD
    )


def _shown(char: str) -> str:
    return repr(char) if char else "the end of the file"


def json_array_rows(text: TextIO, chunk: int = 1 << 16) -> Iterator[Row]:
    """The elements of the array in ``text`` as (line, value) rows.

    ``text`` should be decoded with ``errors="surrogateescape"``: then an element holding
    bytes that are not UTF-8 becomes an error row instead of ending the reading.

    Raises ``UnreadableInput`` at once when the text does not start with an array.
    """
    buffer = _Buffer(text, chunk)
    first = buffer.peek()
    if first != "[":
        found = "nothing" if not first else repr(first)
        raise UnreadableInput(f"a JSON file must hold an array of movies; it starts with {found}")
    buffer.pos += 1
    return iter(_Elements(buffer))
