"""Parsing the query string of ``GET /movies`` into ``SearchCriteria``.

Every parameter is named in the contract; anything else, a value of the wrong shape, or a
single-valued parameter given twice is a 422 naming the parameter. Integers and numbers are
written in ASCII (``int()`` would also take ``１９９５``, ``١٩٩٥`` and ``1_995``), text holds no
control character (``rules.CONTROL``), and a query string of more than ``MAX_PARAMS``
parameters is refused whole, before any is parsed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from itertools import islice

from filmflare.domain.criteria import FACETS, SORT_FIELDS, SearchCriteria, Sort
from filmflare.domain.cursor import MAX_CURSOR_LENGTH
from filmflare.domain.errors import FieldError, ValidationFailed
from filmflare.domain.rules import EXTERNAL_ID, EXTERNAL_ID_RULE, MAX_VOTES, control_character

TEXT_LIMIT = 500
#: The most parameters a query string may hold, on every endpoint: search takes 23 names,
#: ``genre`` repeatable; far more is no real client, and refusing it keeps parsing cheap.
MAX_PARAMS = 100
_SPACE = " \t\r\n"  # trimmed around a value; Unicode spaces are not ASCII
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: How an error about the query string as a whole names its "field".
QUERY_STRING = "(query string)"
_MAX_DIGITS = 19  # more significant digits than any bound here has: out of range


class _Bad(Exception):
    pass


def _int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        text = raw.strip(_SPACE)
        if not _INTEGER.fullmatch(text):
            raise _Bad("must be an integer in ASCII digits (0-9), with an optional sign")
        value = int(text) if len(text.lstrip("+-").lstrip("0")) <= _MAX_DIGITS else None
        if value is None or not low <= value <= high:
            raise _Bad(f"must be between {low} and {high}")
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        text = raw.strip(_SPACE)
        if not _NUMBER.fullmatch(text):
            raise _Bad(
                "must be a number in ASCII digits (0-9), with an optional sign, "
                "decimal point and exponent"
            )
        value = float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise _Bad(f"must be a number between {low:g} and {high:g}")
        return value

    return parse


def _free_text(limit: int) -> Callable[[str], str | None]:
    def parse(raw: str) -> str | None:
        if (refused := control_character(raw)) is not None:
            raise _Bad(refused)
        value = raw.strip()
        if len(value) > limit:
            raise _Bad(f"must be at most {limit} characters")
        return value or None

    return parse


_text = _free_text(TEXT_LIMIT)


def _external_id(raw: str) -> str | None:
    value = _text(raw)
    if value is not None and not EXTERNAL_ID.fullmatch(value):
        raise _Bad(EXTERNAL_ID_RULE)
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise _Bad("must be one of " + ", ".join(allowed))
        return value

    return parse


def _sort(raw: str) -> Sort:
    value = raw.strip()
    descending = value.startswith("-")
    name = value.removeprefix("-")
    if name not in SORT_FIELDS or (descending and name == "relevance"):
        raise _Bad("must be one of " + ", ".join(SORT_FIELDS) + ", with an optional leading -")
    return Sort(name, descending)


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise _Bad("must be true or false")


def _facets(raw: str) -> tuple[str, ...]:
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise _Bad("unknown facet " + ", ".join(unknown) + "; choose from " + ", ".join(FACETS))
    return tuple(dict.fromkeys(names))


def _genre(raw: str) -> str:
    if (refused := control_character(raw)) is not None:
        raise _Bad(refused)
    value = raw.strip()
    if not value or len(value) > 40:
        raise _Bad("must be a genre name of 1 to 40 characters")
    return value


_PARSERS: dict[str, Callable[[str], object]] = {
    "q": _text,
    "title": _text,
    "genre_match": _choice("any", "all"),
    "year": _int(1870, 2100),
    "year_from": _int(1870, 2100),
    "year_to": _int(1870, 2100),
    "rating_min": _number(0, 10),
    "rating_max": _number(0, 10),
    "votes_min": _int(0, MAX_VOTES),
    "runtime_min": _int(0, 1000),
    "runtime_max": _int(0, 1000),
    "director": _text,
    "cast": _text,
    "language": lambda raw: _text(raw.lower()),
    "certification": lambda raw: _text(raw.lower()),
    "external_id": _external_id,
    "sort": _sort,
    "page": _int(1, 10**9),
    "per_page": _int(1, 100),
    "cursor": _free_text(MAX_CURSOR_LENGTH),
    "facets": _facets,
    "highlight": _bool,
}


def parse_search_params(params: Iterable[tuple[str, str]]) -> SearchCriteria:
    """Build criteria from (name, value) pairs as they appear in the query string."""
    errors: list[FieldError] = []
    values: dict[str, object] = {}
    genres: list[str] = []
    for name, raw in _at_most_max(params):
        if name == "genre":
            try:
                genres.append(_genre(raw))
            except _Bad as bad:
                errors.append(FieldError("genre", str(bad)))
            continue
        parser = _PARSERS.get(name)
        if parser is None:
            errors.append(FieldError(name, "is not a search parameter"))
        elif name in values:
            errors.append(FieldError(name, "may be given only once"))
        else:
            try:
                values[name] = parser(raw)
            except _Bad as bad:
                errors.append(FieldError(name, str(bad)))
    if errors:
        raise ValidationFailed(errors)
    values["genres"] = tuple(dict.fromkeys(genres))
    return SearchCriteria(**{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


def parse_suggest_params(params: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """``q`` (what was typed, may be empty) and ``limit`` (1–20, default 10)."""
    errors: list[FieldError] = []
    values: dict[str, object] = {}
    parsers: dict[str, Callable[[str], object]] = {"q": _text, "limit": _int(1, 20)}
    for name, raw in _at_most_max(params):
        parser = parsers.get(name)
        if parser is None:
            errors.append(FieldError(name, "is not a suggest parameter"))
        elif name in values:
            errors.append(FieldError(name, "may be given only once"))
        else:
            try:
                values[name] = parser(raw)
            except _Bad as bad:
                errors.append(FieldError(name, str(bad)))
    if errors:
        raise ValidationFailed(errors)
    text = values.get("q")
    limit = values.get("limit", 10)
    assert isinstance(limit, int)
    return (text if isinstance(text, str) else ""), limit


def reject_params(params: Iterable[tuple[str, str]]) -> None:
    """For endpoints that take no query parameters: any given is a 422."""
    pairs = _at_most_max(params)
    errors = [FieldError(name, "is not a parameter of this endpoint") for name, _ in pairs]
    if errors:
        raise ValidationFailed(errors)


def _at_most_max(params: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs, or a 422 with one error when there are more than ``MAX_PARAMS``."""
    pairs = list(islice(params, MAX_PARAMS + 1))
    if len(pairs) > MAX_PARAMS:
        message = f"may hold at most {MAX_PARAMS} parameters"
        raise ValidationFailed([FieldError(QUERY_STRING, message)])
    return pairs
