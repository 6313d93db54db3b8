"""Movies as DynamoDB items and back: the only place numbers meet ``Decimal``.

The low-level client speaks AttributeValues, where a number travels as decimal text
(``{"N": "8.3"}``). A float goes out through ``Decimal(repr(x))``: ``repr`` is the shortest
text that reads back as the same float, so the round trip is exact. DynamoDB normalises
numbers (``10.0`` comes back as ``10``), so every field is read back as the type ``Movie``
declares for it, never as the type its text suggests. Dates are ISO text, times RFC 3339 UTC
text with microseconds, name lists ordered ``L`` lists of strings (a string set would lose
the order and cannot be empty). A ``None`` field is simply absent from the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from filmflare.domain.movie import LIST_FIELDS, Movie

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import AttributeValueTypeDef

    Item = dict[str, AttributeValueTypeDef]

_FIELDS = tuple(f.name for f in fields(Movie))
_INTEGERS = frozenset({"year", "runtime_minutes", "votes", "version"})
_FLOATS = frozenset({"rating"})
_DATES = frozenset({"release_date"})
_TIMES = frozenset({"created_at", "updated_at"})


def number(value: int | float) -> AttributeValueTypeDef:
    """A number attribute, exact for ints and for floats alike."""
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    return {"N": str(exact)}


def text(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def movie_item(movie: Movie) -> Item:
    """Every set field of ``movie`` as attributes; the id is the table's partition key."""
    item: Item = {}
    for name in _FIELDS:
        value = getattr(movie, name)
        if value is None:
            continue
        if name in LIST_FIELDS:
            item[name] = {"L": [text(v) for v in value]}
        elif name in _INTEGERS or name in _FLOATS:
            item[name] = number(value)
        elif name in _TIMES:
            item[name] = text(_format_time(value))
        elif name in _DATES:
            item[name] = text(value.isoformat())
        else:
            item[name] = text(value)
    return item


def movie_from_item(item: Mapping[str, Any]) -> Movie:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        attribute = item.get(name)
        if attribute is None or attribute.get("NULL"):
            values[name] = () if name in LIST_FIELDS else None
        elif name in LIST_FIELDS:
            values[name] = tuple(v["S"] for v in attribute["L"])
        elif name in _INTEGERS:
            values[name] = int(Decimal(attribute["N"]))
        elif name in _FLOATS:
            values[name] = float(Decimal(attribute["N"]))
        elif name in _TIMES:
            values[name] = datetime.fromisoformat(attribute["S"])
        elif name in _DATES:
            values[name] = date.fromisoformat(attribute["S"])
        else:
            values[name] = attribute["S"]
    return Movie(**values)


def read_int(item: Mapping[str, Any], name: str) -> int:
    """A whole-number attribute of any item (versions, positions)."""
    return int(Decimal(item[name]["N"]))


def item_size(item: Mapping[str, Any]) -> int:
    """An upper estimate of an item's size as DynamoDB counts it (names + values, UTF-8)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(attribute: Mapping[str, Any]) -> int:
    ((kind, value),) = attribute.items()
    if kind == "S":
        return len(value.encode())
    if kind == "N":
        return len(value) // 2 + 2
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in value)
    if kind == "M":
        return 3 + item_size(value)
    return 1


def _format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a stored time must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
