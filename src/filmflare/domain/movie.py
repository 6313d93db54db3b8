"""The movie aggregate: client-editable data plus server-managed bookkeeping."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

CLIENT_FIELDS = (
    "title",
    "original_title",
    "year",
    "release_date",
    "genres",
    "directors",
    "cast",
    "overview",
    "runtime_minutes",
    "rating",
    "votes",
    "language",
    "certification",
    "external_id",
)
SERVER_FIELDS = ("id", "version", "created_at", "updated_at")
#: The shape of every id this service hands out (``new_movie_id``).
MOVIE_ID = re.compile(r"[0-9a-z]{16}")
LIST_FIELDS = ("genres", "directors", "cast")


@dataclass(frozen=True, slots=True)
class MovieData:
    """What a client may set. Build it from untrusted input with ``rules.parse_movie_data``."""

    title: str
    original_title: str | None = None
    year: int | None = None
    release_date: date | None = None
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    overview: str | None = None
    runtime_minutes: int | None = None
    rating: float | None = None
    votes: int | None = None
    language: str | None = None
    certification: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Movie:
    """A stored movie. ``version`` starts at 1 and grows by 1 on every change."""

    id: str
    title: str
    original_title: str | None
    year: int | None
    release_date: date | None
    genres: tuple[str, ...]
    directors: tuple[str, ...]
    cast: tuple[str, ...]
    overview: str | None
    runtime_minutes: int | None
    rating: float | None
    votes: int | None
    language: str | None
    certification: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None  # last, with a default: older snapshots lack it

    @classmethod
    def create(cls, movie_id: str, data: MovieData, now: datetime) -> Movie:
        return cls(id=movie_id, version=1, created_at=now, updated_at=now, **_as_kwargs(data))

    def revise(self, data: MovieData, now: datetime) -> Movie:
        """The next version of this movie holding ``data``."""
        return replace(self, version=self.version + 1, updated_at=now, **_as_kwargs(data))

    @property
    def data(self) -> MovieData:
        return MovieData(**{name: getattr(self, name) for name in CLIENT_FIELDS})


def shared_external_id(movies: Iterable[Movie]) -> tuple[str, str] | None:
    """The first ``external_id`` two of ``movies`` share, with the id of the first to hold it."""
    claimed: dict[str, str] = {}
    for movie in movies:
        if movie.external_id is None:
            continue
        if movie.external_id in claimed:
            return movie.external_id, claimed[movie.external_id]
        claimed[movie.external_id] = movie.id
    return None


def _as_kwargs(data: MovieData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, ascending in ASCII


_last_id = 0


def new_movie_id() -> str:
    """A 16-character, URL-safe id: 50 bits of milliseconds then 30 random bits.

    Ids sort by creation time as plain strings. Within one process they strictly increase
    (ids made in the same millisecond count up from a random start), so a process never
    repeats itself; across processes the store refuses a duplicate, and the caller retries.
    """
    global _last_id
    value = max((time.time_ns() // 1_000_000) << 30 | secrets.randbits(30), _last_id + 1)
    _last_id = value
    chars = []
    for _ in range(16):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
