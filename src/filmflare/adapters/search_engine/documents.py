"""Movies to search documents and back.

The whole movie is stored (``codec``) so that a hit restores it exactly; the other fields
exist to be searched, filtered, counted or sorted on, and are derived here with the
domain's folding and word rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.adapters.search_engine.codec import decode_movie, encode_movie
from filmflare.domain.movie import Movie
from filmflare.domain.text import fold, words

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def milliseconds(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down: the precision every store keeps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _word_prefixes(texts: Iterable[str]) -> list[str]:
    """Every prefix of every word: what a query's last, unfinished word may match."""
    every = {word for text in texts for word in words(text)}
    return sorted({word[:end] for word in every for end in range(1, len(word) + 1)})


def _people(names: Iterable[str]) -> list[Json]:
    return [{f.PERSON_WORDS: sorted(set(words(name)))} for name in names]


def movie_document(movie: Movie) -> Json:
    texts = {
        f.TITLE: [movie.title],
        f.ORIGINAL_TITLE: [movie.original_title] if movie.original_title else [],
        f.DIRECTORS: list(movie.directors),
        f.CAST: list(movie.cast),
        f.OVERVIEW: [movie.overview] if movie.overview else [],
    }
    doc: Json = {
        f.ID: movie.id,
        f.KIND: f.MOVIE_KIND,
        f.VERSION: movie.version,
        f.MOVIE: encode_movie(movie),
        f.TITLE_SORT: fold(movie.title),
        f.GENRES: list(movie.genres),
        f.GENRE_KEYS: [genre.casefold() for genre in movie.genres],
        f.DIRECTOR_PEOPLE: _people(movie.directors),
        f.CAST_PEOPLE: _people(movie.cast),
        f.CREATED_AT: milliseconds(movie.created_at),
    }
    for field, values in texts.items():
        doc[field] = [" ".join(words(value)) for value in values]
        doc[f.prefixes(field)] = _word_prefixes(values)
    for field, value in (
        (f.LANGUAGE, movie.language),
        (f.CERTIFICATION, movie.certification),
    ):
        if value:
            doc[field] = value.casefold()
    if movie.external_id:
        doc[f.EXTERNAL_ID] = movie.external_id
    for field, number in (
        (f.YEAR, movie.year),
        (f.RATING, movie.rating),
        (f.VOTES, movie.votes),
        (f.RUNTIME, movie.runtime_minutes),
    ):
        if number is not None:
            doc[field] = number
    return doc


def tombstone_document(movie_id: str, version: int) -> Json:
    """What stays of a deleted movie: enough for its version to outrank older writes."""
    return {f.ID: movie_id, f.KIND: f.TOMBSTONE_KIND, f.VERSION: version}


def read_movie(hit: Json) -> Movie:
    source: dict[str, Any] = hit["_source"][f.MOVIE]
    return decode_movie(source)
