"""The stored form of a movie inside a search document: JSON that restores it exactly.

Dates and timestamps keep their ISO form (microseconds and zone included), so a hit is the
very movie that was indexed.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any

from filmflare.domain.movie import LIST_FIELDS, Movie

_NAMES = tuple(field.name for field in fields(Movie))


def encode_movie(movie: Movie) -> dict[str, Any]:
    encoded: dict[str, Any] = {name: getattr(movie, name) for name in _NAMES}
    for name in LIST_FIELDS:
        encoded[name] = list(encoded[name])
    release = movie.release_date
    encoded["release_date"] = release.isoformat() if release else None
    encoded["created_at"] = movie.created_at.isoformat()
    encoded["updated_at"] = movie.updated_at.isoformat()
    return encoded


def decode_movie(stored: dict[str, Any]) -> Movie:
    values: dict[str, Any] = {name: stored.get(name) for name in _NAMES}  # older lack new ones
    for name in LIST_FIELDS:
        values[name] = tuple(values[name])
    release = values["release_date"]
    values["release_date"] = date.fromisoformat(release) if release else None
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["updated_at"] = datetime.fromisoformat(values["updated_at"])
    return Movie(**values)
