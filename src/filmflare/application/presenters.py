"""The public JSON shape of movies and search answers, serialized once into bytes.

Use cases return bytes so that a cached answer is served without serializing again.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import orjson

from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie
from filmflare.domain.search import GenreCount, SearchPage, Suggestion


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, the form every backend stores."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def movie_dict(movie: Movie) -> dict[str, Any]:
    return {
        "id": movie.id,
        "title": movie.title,
        "original_title": movie.original_title,
        "year": movie.year,
        "release_date": movie.release_date.isoformat() if movie.release_date else None,
        "genres": list(movie.genres),
        "directors": list(movie.directors),
        "cast": list(movie.cast),
        "overview": movie.overview,
        "runtime_minutes": movie.runtime_minutes,
        "rating": movie.rating,
        "votes": movie.votes,
        "language": movie.language,
        "certification": movie.certification,
        "external_id": movie.external_id,
        "version": movie.version,
        "created_at": timestamp(movie.created_at),
        "updated_at": timestamp(movie.updated_at),
    }


def movie_body(movie: Movie) -> bytes:
    return orjson.dumps(movie_dict(movie))


def search_body(
    criteria: SearchCriteria, page: int, found: SearchPage, cursor: str | None
) -> bytes:
    results = []
    for hit in found.hits:
        item = movie_dict(hit.movie)
        if criteria.highlight:
            item["highlight"] = hit.highlight or {}
        results.append(item)
    body: dict[str, Any] = {
        "page": page,
        "per_page": criteria.per_page,
        "total_results": found.total,
        "total_pages": math.ceil(found.total / criteria.per_page),
        "results": results,
        "next_cursor": cursor,
    }
    if criteria.facets:
        body["facets"] = {
            name: [{"value": b.value, "count": b.count} for b in found.facets.get(name, ())]
            for name in criteria.facets
        }
    return orjson.dumps(body)


def suggestions_body(suggestions: list[Suggestion]) -> bytes:
    return orjson.dumps(
        {"suggestions": [{"id": s.id, "title": s.title, "year": s.year} for s in suggestions]}
    )


def genres_body(genres: list[GenreCount]) -> bytes:
    return orjson.dumps({"genres": [{"name": g.name, "count": g.count} for g in genres]})
