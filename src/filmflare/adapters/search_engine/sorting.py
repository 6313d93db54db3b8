"""Sort order and positions: every order is total, so ``search_after`` pages are exact.

Each sort ends with the ``id`` keyword, ascending in both directions, and puts movies
without a value last (``missing: _last``). Relevance ties go to the most voted movie, then
the id. A position is the sort values of the last hit shown; continuing after it with
``search_after`` costs the same at any depth and neither skips nor repeats a movie when
others are added or removed before it, so no point in time is kept (one would only pin
relevance scores, which may move as the catalog changes, as in any engine).
"""

from __future__ import annotations

import math

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.domain.criteria import Sort
from filmflare.domain.errors import BadRequest
from filmflare.domain.search import Position

FIELDS = {
    "title": f.TITLE_SORT,
    "year": f.YEAR,
    "rating": f.RATING,
    "votes": f.VOTES,
    "created_at": f.CREATED_AT,
}
SCORE = "_score"
_TEXT = (f.TITLE_SORT, f.ID)
_MISSING = ("Infinity", "-Infinity")  # how an engine spells a missing double's sort value
_LONGS = range(-(2**63), 2**63)  # a long sort field's values; the domain allows 64 unsigned bits


def _by(field: str, descending: bool) -> Json:
    return {field: {"order": "desc" if descending else "asc", "missing": "_last"}}


def sort_clauses(sort: Sort) -> list[Json]:
    if sort.field == "relevance":
        return [{SCORE: {"order": "desc"}}, _by(f.VOTES, True), _by(f.ID, False)]
    return [_by(FIELDS[sort.field], sort.descending), _by(f.ID, False)]


def _fits(field: str, value: object) -> bool:
    if field in _TEXT:
        return isinstance(value, str)
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return (isinstance(value, int) and value in _LONGS) or (field != SCORE and value in _MISSING)


def checked_position(sort: Sort, position: Position) -> Position:
    """``position`` if it can be the sort values of a hit in this order; else a 400."""
    fields = [next(iter(clause)) for clause in sort_clauses(sort)]
    if len(position) != len(fields) or not all(
        _fits(field, value) for field, value in zip(fields, position, strict=True)
    ):
        raise BadRequest("cursor does not fit this query; start again without it")
    return position
