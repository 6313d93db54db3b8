"""Parsing the query string of ``GET /movies`` into ``SearchCriteria``.

Every parameter is named in the contract; anything else, a value of the wrong shape, or a
single-valued parameter given twice is a 422 naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from filmflare.domain.criteria import FACETS, SORT_FIELDS, SearchCriteria, Sort
from filmflare.domain.errors import FieldError, ValidationFailed
from filmflare.domain.rules import MAX_VOTES

_TEXT_LIMIT = 500


class _Bad(Exception):
    pass


def _int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise _Bad("must be an integer") from None
        if not low <= value <= high:
            raise _Bad(f"must be between {low} and {high}")
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise _Bad("must be a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise _Bad(f"must be a number between {low:g} and {high:g}")
        return value

    return parse


def _text(raw: str) -> str | None:
    value = raw.strip()
    if len(value) > _TEXT_LIMIT:
        raise _Bad(f"must be at most {_TEXT_LIMIT} characters")
    return value or None


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
    "sort": _sort,
    "page": _int(1, 10**9),
    "per_page": _int(1, 100),
    "cursor": _text,
    "facets": _facets,
    "highlight": _bool,
}


def parse_search_params(params: Iterable[tuple[str, str]]) -> SearchCriteria:
    """Build criteria from (name, value) pairs as they appear in the query string."""
    errors: list[FieldError] = []
    values: dict[str, object] = {}
    genres: list[str] = []
    for name, raw in params:
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
    for name, raw in params:
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
    errors = [FieldError(name, "is not a parameter of this endpoint") for name, _ in params]
    if errors:
        raise ValidationFailed(errors)
