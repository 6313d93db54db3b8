"""Filters: genres, numeric ranges, people, language and certification.

Each is a ``filter`` clause (cached by the engine, never scored). A movie without a value
has no entry in a numeric field, so every range excludes it; tombstones are excluded from
everything.
"""

from __future__ import annotations

from collections.abc import Iterator

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.adapters.search_engine.queries import NOTHING, term
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.text import words

MOVIES: Json = term(f.KIND, f.MOVIE_KIND)
Bound = int | float | None


def one_person(path: str, text: str) -> Json:
    """A person (one nested document of ``path``) whose name has every word of ``text``."""
    wanted = list(dict.fromkeys(words(text)))
    if not wanted:
        return NOTHING
    every = [term(f"{path}.{f.PERSON_WORDS}", word) for word in wanted]
    return {"nested": {"path": path, "score_mode": "none", "query": {"bool": {"filter": every}}}}


def _ranges(criteria: SearchCriteria) -> Iterator[tuple[str, Bound, Bound]]:
    if criteria.year is not None:
        yield f.YEAR, criteria.year, criteria.year
    if criteria.year_from is not None or criteria.year_to is not None:
        yield f.YEAR, criteria.year_from, criteria.year_to
    if criteria.rating_min is not None or criteria.rating_max is not None:
        yield f.RATING, criteria.rating_min, criteria.rating_max
    if criteria.votes_min is not None:
        yield f.VOTES, criteria.votes_min, None
    if criteria.runtime_min is not None or criteria.runtime_max is not None:
        yield f.RUNTIME, criteria.runtime_min, criteria.runtime_max


def _range(field: str, low: Bound, high: Bound) -> Json:
    bounds = {name: value for name, value in (("gte", low), ("lte", high)) if value is not None}
    return {"range": {field: bounds}}


def filters(criteria: SearchCriteria) -> list[Json]:
    """One clause per filter in ``criteria``; a movie must match them all."""
    found = [MOVIES]
    if criteria.genres:
        keys = [genre.casefold() for genre in criteria.genres]
        if criteria.genre_match == "all":
            found += [term(f.GENRE_KEYS, key) for key in keys]
        else:
            found.append({"terms": {f.GENRE_KEYS: keys}})
    found += [_range(*spec) for spec in _ranges(criteria)]
    for path, text in ((f.DIRECTOR_PEOPLE, criteria.director), (f.CAST_PEOPLE, criteria.cast)):
        if text:
            found.append(one_person(path, text))
    exact = ((f.LANGUAGE, criteria.language), (f.CERTIFICATION, criteria.certification))
    for field, value in exact:
        if value:
            found.append(term(field, value.casefold()))
    if criteria.external_id:
        found.append(term(f.EXTERNAL_ID, criteria.external_id))
    return found
