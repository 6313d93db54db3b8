"""The demo catalog: the vega-datasets ``movies.json``, mapped onto the movie resource.

The data is known to be dirty (it is used to teach data cleaning), so the mapping repairs
what can be repaired and leaves the rest to the movie rules:

- ``Title`` may be a number (``1776``, ``300``): it becomes text.
- ``Release Date`` (``Jun 12 1998``) becomes ``1998-06-12``; the year follows from it. The
  source expanded two-digit years into the wrong century (*Gone with the Wind*,
  ``Dec 15 2039``), so a year after the data was compiled goes back a hundred years. A date
  that cannot be read is null.
- ``Major Genre`` and ``Director`` become one-item lists (empty when null).
- ``MPAA Rating`` is the certification; ``Not Rated`` becomes ``NR`` (TMDB's spelling for a
  film released unrated) and ``Open``, not a rating, becomes null.
- ``Running Time min``, ``IMDB Rating`` and ``IMDB Votes`` are taken when they are numbers.
- The data names no language, so ``language`` stays null.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path

from filmflare.entrypoints.cli.rows import Row

# Package data (filmflare/catalog/), so an installed wheel, as in the image, can seed too.
CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "movies-vega.json"
# The newest release in the data is from 2011; later years are two-digit years misread.
LAST_RELEASE_YEAR = 2011
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DATE = re.compile(r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})")
_CERTIFICATIONS = {"Not Rated": "NR", "Open": None}


def demo_rows(rows: Iterable[Row]) -> Iterator[Row]:
    """Map rows read from the vega file; rows that are error messages pass unchanged."""
    for line, value in rows:
        yield line, map_vega_movie(value) if isinstance(value, Mapping) else value


def map_vega_movie(raw: Mapping[str, object]) -> dict[str, object]:
    """One vega record as a movie object for the usual import rules."""
    return {
        "title": _title(raw.get("Title")),
        "release_date": _release_date(raw.get("Release Date")),
        "genres": _one(raw.get("Major Genre")),
        "directors": _one(raw.get("Director")),
        "runtime_minutes": _number(raw.get("Running Time min")),
        "rating": _number(raw.get("IMDB Rating")),
        "votes": _number(raw.get("IMDB Votes")),
        "certification": _certification(raw.get("MPAA Rating")),
    }


def _title(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _release_date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _DATE.fullmatch(value.strip())
    if not match or match.group(1).lower() not in _MONTHS:
        return None
    month = _MONTHS[match.group(1).lower()]
    day, year = int(match.group(2)), int(match.group(3))
    if year > LAST_RELEASE_YEAR:
        year -= 100
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _one(value: object) -> list[object]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    return [value]


def _number(value: object) -> object:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _certification(value: object) -> object:
    if isinstance(value, str):
        return _CERTIFICATIONS.get(value.strip(), value)
    return value
