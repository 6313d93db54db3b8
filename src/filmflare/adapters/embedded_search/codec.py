"""The stored form of a movie: JSON that restores every field exactly.

Dates and timestamps keep their ISO form (microseconds and zone included), so a hit is the
very movie that was indexed.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any

import orjson

from filmflare.domain.movie import Movie

_NAMES = tuple(field.name for field in fields(Movie))


def encode_movie(movie: Movie) -> bytes:
    return orjson.dumps(
        {
            **{name: getattr(movie, name) for name in _NAMES},
            "release_date": movie.release_date.isoformat() if movie.release_date else None,
            "created_at": movie.created_at.isoformat(),
            "updated_at": movie.updated_at.isoformat(),
        }
    )


def decode_movie(raw: bytes) -> Movie:
    data: dict[str, Any] = orjson.loads(raw)
    release = data["release_date"]
    return Movie(
        **{
            **data,
            "release_date": date.fromisoformat(release) if release else None,
            "genres": tuple(data["genres"]),
            "directors": tuple(data["directors"]),
            "cast": tuple(data["cast"]),
            "created_at": datetime.fromisoformat(data["created_at"]),
            "updated_at": datetime.fromisoformat(data["updated_at"]),
        }
    )
