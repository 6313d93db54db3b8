"""The catalogs a run loads: the demo catalog, and synthetic ones grown from it.

A synthetic catalog of N movies is the demo catalog (the vega rows that pass the movie
rules) followed by generated rows up to N. Row ``n`` is a function of ``n`` alone (its own
seeded generator), so a catalog is a prefix of every bigger one: a run loads 100k movies,
then only the next 900k to reach 1M. Generated rows recombine the demo's titles, words,
people, genres and years, so searches hit a realistic spread of terms; each row passes the
same rules as ``POST /movies``.

Catalogs are written once as NDJSON (what ``filmflare import`` reads) and kept under
``bench/.work/catalogs``, named by ``VERSION``: change the rows, bump it.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from filmflare.domain.errors import ValidationFailed
from filmflare.domain.movie import Movie, new_movie_id
from filmflare.domain.rules import parse_movie_data
from filmflare.entrypoints.cli.demo_catalog import CATALOG, map_vega_movie

VERSION = 1
SEED = 20_240_607
SIZES = {"demo": 0, "100k": 100_000, "1m": 1_000_000}  # 0: the demo catalog alone
Row = dict[str, Any]
T = TypeVar("T")

_SEQUELS = ("II", "III", "IV", "Returns", "Reloaded", "Rising", "Forever", "Begins", "Redux")
_LINKS = ("of", "and", "in", "for", "from", "beyond")
_FILLER = (
    "the a of and in to his her their who when after must find world young new life love "
    "family story city war home night last secret journey friends between against"
).split()
# English for about half the movies, the rest spread over nine others.
_LANGUAGES = ("en",) * 9 + ("fr", "es", "de", "it", "ja", "ko", "hi", "zh", "pt")
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True, slots=True)
class Seeds:
    """What generated rows are made of, all taken from the demo catalog."""

    movies: tuple[Row, ...]
    words: tuple[str, ...]
    lower_words: tuple[str, ...]
    directors: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    genres: tuple[str, ...]
    certifications: tuple[str, ...]


def _valid(row: Row) -> bool:
    try:
        parse_movie_data(row)
    except ValidationFailed:
        return False
    return True


@functools.cache
def seeds() -> Seeds:
    with CATALOG.open(encoding="utf-8") as file:
        mapped: list[Row] = [map_vega_movie(raw) for raw in json.load(file)]
    movies = tuple(row for row in mapped if _valid(row))
    words = sorted({w.capitalize() for m in movies for w in _WORD.findall(str(m["title"]))})
    directors = sorted({name for m in movies for name in m["directors"]})
    parts = [name.split() for name in directors if len(name.split()) >= 2]
    return Seeds(
        movies=movies,
        words=tuple(words),
        lower_words=tuple(w.lower() for w in words),
        directors=tuple(directors),
        first_names=tuple(sorted({p[0] for p in parts})),
        last_names=tuple(sorted({p[-1] for p in parts})),
        genres=tuple(sorted({g for m in movies for g in m["genres"]})),
        certifications=tuple(
            sorted({str(m["certification"]) for m in movies if m["certification"]})
        ),
    )


def demo_rows() -> list[Row]:
    """The demo catalog's rows that the movie rules accept, in file order."""
    return list(seeds().movies)


class _Draws:
    """Cheap seeded draws: ``random.Random.choice`` and ``randint`` cost most of a row."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        return self.random() < probability


def _title(draw: _Draws, s: Seeds, base: Row) -> str:
    shape = draw.random()
    if shape < 0.25:
        return f"{base['title']} {draw.pick(_SEQUELS)}"
    if shape < 0.6:
        return " ".join(draw.pick(s.words) for _ in range(draw.between(1, 3)))
    return f"The {draw.pick(s.words)} {draw.pick(_LINKS)} {draw.pick(s.words)}"


def _overview(draw: _Draws, s: Seeds) -> str:
    picked = [
        draw.pick(s.lower_words) if draw.chance(0.5) else draw.pick(_FILLER)
        for _ in range(draw.between(11, 26))
    ]
    return " ".join(picked).capitalize() + "."


def synthetic_row(number: int) -> Row:
    """Generated row ``number``: the same row on every machine and every call."""
    s = seeds()
    draw = _Draws(SEED * 1_000_003 + number)
    base = draw.pick(s.movies)
    base_year = int(str(base["release_date"])[:4]) if base["release_date"] else 1995
    year = min(2024, max(1900, base_year + draw.between(-8, 8)))
    genres = list(base["genres"])
    if draw.chance(0.4):
        genres = list(dict.fromkeys([*genres, draw.pick(s.genres)]))
    language = draw.pick(_LANGUAGES)
    title = _title(draw, s, base)
    return {
        "title": title,
        "original_title": _title(draw, s, base) if language != "en" and draw.chance(0.5) else None,
        "release_date": date(year, draw.between(1, 12), draw.between(1, 28)).isoformat(),
        "genres": genres,
        "directors": [draw.pick(s.directors)] if draw.chance(0.9) else [],
        "cast": [
            f"{draw.pick(s.first_names)} {draw.pick(s.last_names)}"
            for _ in range(draw.between(2, 8))
        ],
        "overview": _overview(draw, s),
        "runtime_minutes": draw.between(75, 180),
        "rating": round(min(10.0, max(1.0, 6.4 + (draw.random() - 0.5) * 5)), 1),
        "votes": int(200 / (1.0 - draw.random()) ** 0.75),  # long-tailed, like popularity
        "language": language,
        "certification": draw.pick(s.certifications) if draw.chance(0.8) else None,
    }


def catalog_size(name: str) -> int:
    return SIZES[name] or len(seeds().movies)


def rows(start: int, stop: int) -> Iterator[Row]:
    """Rows ``start`` to ``stop`` (excluded) of every catalog: the demo's, then generated."""
    demo = seeds().movies
    for number in range(start, stop):
        yield demo[number] if number < len(demo) else synthetic_row(number)


def keyed(start: int, stop: int) -> Iterator[Row]:
    """``rows``, each with an ``external_id`` (``bench:<number>``), as a feed of a catalog
    kept elsewhere has: what lets an import run again."""
    for number, row in enumerate(rows(start, stop), start=start):
        yield {**row, "external_id": f"bench:{number}"}


def write_rows(path: Path, start: int, stop: int, with_keys: bool = False) -> Path:
    """Rows ``start`` to ``stop`` as NDJSON at ``path``, unless a previous run wrote it."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("w", encoding="utf-8") as file:
        for row in (keyed if with_keys else rows)(start, stop):
            file.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    partial.replace(path)  # whole or absent, even when a run is interrupted
    return path


def slice_file(directory: Path, start: int, stop: int) -> Path:
    """The NDJSON file of rows ``start`` to ``stop``, written when missing."""
    return write_rows(directory / f"rows-v{VERSION}-{start}-{stop}.ndjson", start, stop)


def keyed_file(directory: Path, start: int, stop: int) -> Path:
    """``slice_file`` with an ``external_id`` on every row (``keyed``)."""
    name = f"keyed-v{VERSION}-{start}-{stop}.ndjson"
    return write_rows(directory / name, start, stop, with_keys=True)


def movie_batches(path: Path, size: int) -> Iterator[list[Movie]]:
    """The rows of an NDJSON file as new movies, as an import would create them, ``size``
    at a time."""
    now = datetime.now(UTC)
    batch: list[Movie] = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                batch.append(Movie.create(new_movie_id(), parse_movie_data(json.loads(line)), now))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def read_movies(path: Path) -> list[Movie]:
    return [movie for batch in movie_batches(path, 10_000) for movie in batch]
