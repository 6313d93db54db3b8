"""Mapping a ``Movie`` to SQLite columns and to the JSON snapshot kept in the change feed.

Every field round-trips exactly: dates as ISO text, timestamps as RFC 3339 UTC text with
milliseconds, name lists as JSON arrays, ``None`` as NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

import orjson

from filmflare.domain.movie import LIST_FIELDS, Movie

COLUMNS = tuple(f.name for f in fields(Movie))
_DATES = frozenset({"release_date"})
_TIMES = frozenset({"created_at", "updated_at"})


def quoted(names: Sequence[str]) -> str:
    """A comma list of quoted identifiers (``cast`` is an SQL keyword)."""
    return ", ".join(f'"{name}"' for name in names)


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a stored time must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_document(movie: Movie) -> dict[str, Any]:
    """The movie as JSON-ready values, one per field."""
    document: dict[str, Any] = {}
    for name in COLUMNS:
        value = getattr(movie, name)
        if name in _TIMES:
            value = format_time(value)
        elif name in _DATES and value is not None:
            value = value.isoformat()
        elif name in LIST_FIELDS:
            value = list(value)
        document[name] = value
    return document


def from_document(document: Mapping[str, Any]) -> Movie:
    values: dict[str, Any] = {}
    for name in COLUMNS:
        value: Any = document.get(name)  # a snapshot older than a field lacks it
        if name in _TIMES:
            value = datetime.fromisoformat(value)
        elif name in _DATES and value is not None:
            value = date.fromisoformat(value)
        elif name in LIST_FIELDS:
            value = tuple(value)
        values[name] = value
    return Movie(**values)


def to_row(movie: Movie) -> tuple[Any, ...]:
    """Column values in ``COLUMNS`` order."""
    document = to_document(movie)
    return tuple(
        orjson.dumps(document[name]).decode() if name in LIST_FIELDS else document[name]
        for name in COLUMNS
    )


def from_row(row: Sequence[Any]) -> Movie:
    document = dict(zip(COLUMNS, row, strict=True))
    for name in LIST_FIELDS:
        document[name] = orjson.loads(document[name])
    return from_document(document)


def to_snapshot(movie: Movie | None) -> str | None:
    return None if movie is None else orjson.dumps(to_document(movie)).decode()


def from_snapshot(snapshot: str | None) -> Movie | None:
    return None if snapshot is None else from_document(orjson.loads(snapshot))
