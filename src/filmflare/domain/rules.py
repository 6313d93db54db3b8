"""Turning untrusted input into valid ``MovieData``, collecting every broken rule.

The rules are the API contract's: strings are trimmed, lengths count code points, no string
holds a control character (``CONTROL``), lists drop names that repeat, ``language`` is
lower-cased, ``year`` comes from ``release_date`` when only that is given, and both must agree
when both are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

from filmflare.domain.errors import FieldError, ValidationFailed
from filmflare.domain.languages import ISO_639_1
from filmflare.domain.movie import CLIENT_FIELDS, LIST_FIELDS, SERVER_FIELDS, MovieData

MAX_VOTES = 2**53 - 1
YEAR_MIN, YEAR_MAX = 1870, 2100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
EXTERNAL_ID_RULE = "must be 1 to 100 characters of A-Z a-z 0-9 . _ : -"
#: Control characters a string may not hold: Unicode's (category Cc) but tab, line feed and
#: carriage return. That includes DEL and the C1 range U+0080–U+009F: no text needs them,
#: and they are either mojibake (Windows-1252 read as Latin-1) or a trick (U+0085 breaks a
#: line for some readers, U+009B starts a terminal escape). Format characters (zero-width
#: joiners, direction marks) are text and stay allowed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(value: str) -> str | None:
    """Why ``value`` is refused for holding a control character (``CONTROL``), or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    return (
        "must not hold control characters other than tab, line feed and carriage return"
        f" (found U+{ord(found[0]):04X})"
    )


class _Broken(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _text(value: object, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise _Broken("must not be null")
        return None
    if not isinstance(value, str):
        raise _Broken("must be a string")
    if (refused := control_character(value)) is not None:
        raise _Broken(refused)
    value = value.strip()
    if not value:
        if required:
            raise _Broken("must not be empty")
        return None
    if len(value) > limit:
        raise _Broken(f"must be at most {limit} characters")
    return value


def _integer(value: object, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Broken("must be an integer")
    if not low <= value <= high:
        raise _Broken(f"must be between {low} and {high}")
    return value


def _rating(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Broken("must be a number")
    if not 0 <= value <= 10:
        raise _Broken("must be between 0 and 10")
    return float(value)


def _release_date(value: object) -> date | None:
    text = _text(value, 10)
    if text is None:
        return None
    if not _DATE.fullmatch(text):
        raise _Broken("must be a date as YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise _Broken("must be a real calendar date") from None
    if not YEAR_MIN <= parsed.year <= YEAR_MAX:
        raise _Broken(f"must fall between {YEAR_MIN} and {YEAR_MAX}")
    return parsed


def _language(value: object) -> str | None:
    text = _text(value, 2)
    if text is None:
        return None
    code = text.lower()
    if code not in ISO_639_1:
        raise _Broken("must be an ISO 639-1 code such as 'en'")
    return code


def _external_id(value: object) -> str | None:
    text = _text(value, 100)
    if text is not None and not EXTERNAL_ID.fullmatch(text):
        raise _Broken(EXTERNAL_ID_RULE)
    return text


def _names(limit: int, name_limit: int, *, dedupe: bool = False) -> Callable[[object], object]:
    def check(value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise _Broken("must be an array of strings")
        names: list[str] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            try:
                name = _text(item, name_limit, required=True)
            except _Broken as broken:
                raise _Broken(broken.message, field=f"[{index}]") from None
            assert name is not None
            if dedupe:
                key = name.casefold()
                if key in seen:
                    continue
                seen.add(key)
            names.append(name)
        if len(names) > limit:
            raise _Broken(f"must hold at most {limit} names")
        return tuple(names)

    return check


_CHECKS: dict[str, Callable[[object], object]] = {
    "title": lambda v: _text(v, 300, required=True),
    "original_title": lambda v: _text(v, 300),
    "year": lambda v: _integer(v, YEAR_MIN, YEAR_MAX),
    "release_date": _release_date,
    "genres": _names(10, 40, dedupe=True),
    "directors": _names(20, 200),
    "cast": _names(100, 200),
    "overview": lambda v: _text(v, 5000),
    "runtime_minutes": lambda v: _integer(v, 1, 1000),
    "rating": _rating,
    "votes": lambda v: _integer(v, 0, MAX_VOTES),
    "language": _language,
    "certification": lambda v: _text(v, 10),
    "external_id": _external_id,
}


def parse_movie_data(raw: object) -> MovieData:
    """Validate a JSON object of client fields; absent fields are null or empty."""
    if not isinstance(raw, Mapping):
        raise ValidationFailed([FieldError("body", "must be a JSON object")])
    errors: list[FieldError] = []
    for key in raw:
        if key in SERVER_FIELDS:
            errors.append(FieldError(str(key), "is managed by the server and cannot be set"))
        elif key not in _CHECKS:
            errors.append(FieldError(str(key), "is not a movie field"))
    values: dict[str, object] = {}
    for name in CLIENT_FIELDS:
        if name == "title" and name not in raw:
            errors.append(FieldError("title", "is required"))
            continue
        try:
            values[name] = _CHECKS[name](raw.get(name))
        except _Broken as broken:
            errors.append(FieldError(name + (broken.field or ""), broken.message))
    _reconcile_year(values, errors)
    if errors:
        raise ValidationFailed(errors)
    return MovieData(**values)  # type: ignore[arg-type]


def _reconcile_year(values: dict[str, object], errors: list[FieldError]) -> None:
    released = values.get("release_date")
    if not isinstance(released, date):
        return
    year = values.get("year")
    if year is None:
        values["year"] = released.year
    elif year != released.year:
        errors.append(FieldError("year", f"must agree with release_date ({released.year})"))


def to_client_json(data: MovieData) -> dict[str, object]:
    """The client fields as JSON values, the shape a merge patch applies to."""
    out: dict[str, object] = {}
    for name in CLIENT_FIELDS:
        value = getattr(data, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif name in LIST_FIELDS:
            value = list(value)
        out[name] = value
    return out


def merge_patch(current: MovieData, patch: object) -> MovieData:
    """Apply a JSON Merge Patch (RFC 7396) to ``current`` and validate the result.

    ``null`` removes a field (a list becomes empty, ``title`` cannot be removed), and a new
    ``release_date`` without a ``year`` re-derives the year.
    """
    if not isinstance(patch, Mapping):
        raise ValidationFailed([FieldError("body", "a merge patch must be a JSON object")])
    merged = to_client_json(current)
    if patch.get("release_date") is not None and "year" not in patch:
        merged["year"] = None
    for key, value in patch.items():
        if value is None and key in merged and key != "title":
            merged[key] = None
        else:
            merged[key] = value
    return parse_movie_data(merged)
