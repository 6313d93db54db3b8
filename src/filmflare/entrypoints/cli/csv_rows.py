"""CSV: a header row of movie field names, then one movie per record.

Cells are text; an empty cell is null. ``genres``, ``directors`` and ``cast`` hold names
separated by ``|``. Numeric fields are turned into numbers when the text is one; anything else
is passed on as text, so the movie rules reject it with their usual message.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

from filmflare.domain.movie import CLIENT_FIELDS, LIST_FIELDS
from filmflare.entrypoints.cli.rows import NOT_UTF8, NOT_UTF8_TEXT, Row, UnreadableInput

if TYPE_CHECKING:
    from _csv import Reader

LIST_SEPARATOR = "|"
_NUMERIC_FIELDS = frozenset({"year", "runtime_minutes", "rating", "votes"})
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_rows(text: TextIO) -> Iterator[Row]:
    """The records of ``text`` as (line, movie object) rows.

    Raises ``UnreadableInput`` at once when the header is missing, lacks ``title`` or names
    a column that is not a movie field: then no record could be read as meant. ``text``
    should be decoded with ``errors="surrogateescape"`` (see ``readers``).
    """
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise UnreadableInput("the CSV file is empty; it needs a header row") from None
    except csv.Error as error:
        raise UnreadableInput(f"the CSV header cannot be read: {error}") from None
    _check_header(header)
    return _records(reader, header)


def _check_header(header: Sequence[str]) -> None:
    unknown = [name for name in header if name not in CLIENT_FIELDS]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise UnreadableInput(
            f"the CSV header names columns that are not movie fields: {names} "
            f"(the fields are {', '.join(CLIENT_FIELDS)})"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UnreadableInput(f"the CSV header repeats {', '.join(repeated)}")
    if "title" not in header:
        raise UnreadableInput("the CSV header has no 'title' column")


def _records(reader: Reader, header: Sequence[str]) -> Iterator[Row]:
    line = 1  # ``reader.line_num`` counts physical lines: a quoted cell may span several
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, f"the CSV file cannot be read past this line ({error}); reading stopped"
            return
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or one of empty cells only
        if any(NOT_UTF8_TEXT.search(cell) for cell in cells):
            yield start, NOT_UTF8
            continue
        if len(cells) > len(header):
            yield start, f"has {len(cells)} cells but the header names {len(header)} columns"
            continue
        yield start, {name: _cell(name, cell) for name, cell in zip(header, cells, strict=False)}


def _cell(name: str, cell: str) -> object:
    if not cell.strip():
        return None
    if name in LIST_FIELDS:
        return cell.split(LIST_SEPARATOR)
    if name in _NUMERIC_FIELDS:
        text = cell.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            return float(text)
    return cell
