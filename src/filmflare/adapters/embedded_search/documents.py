"""Movies to tantivy documents and back.

The whole movie is stored (``codec``) so that a hit restores it exactly; the other fields
exist to be searched, filtered, counted or sorted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search.codec import decode_movie, encode_movie
from filmflare.adapters.embedded_search.sort_keys import rank, tie_key
from filmflare.domain.movie import Movie
from filmflare.domain.text import fold, words


def _text(text: str | None) -> str:
    return " ".join(words(text or ""))


def _person_words(names: tuple[str, ...]) -> str:
    """``word#n`` for each word of the n-th name: "one person has every word" is a term match."""
    return " ".join(f"{word}#{n}" for n, name in enumerate(names) for word in set(words(name)))


def movie_document(movie: Movie, stamp: int) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text(f.ID, movie.id)
    doc.add_text(f.KIND, f.MOVIE)
    doc.add_integer(f.VERSION, movie.version)
    doc.add_integer(f.STAMP, stamp)
    doc.add_bytes(f.SOURCE, encode_movie(movie))
    doc.add_bytes(f.FOLDED_TITLE, fold(movie.title).encode())
    doc.add_text(f.TITLE, _text(movie.title))
    doc.add_text(f.TITLE_EXACT, _text(movie.title))
    if movie.original_title:
        doc.add_text(f.ORIGINAL_TITLE, _text(movie.original_title))
        doc.add_text(f.ORIGINAL_EXACT, _text(movie.original_title))
    for name in movie.directors:
        doc.add_text(f.DIRECTORS, _text(name))
    for name in movie.cast:
        doc.add_text(f.CAST, _text(name))
    doc.add_text(f.DIRECTOR_WORDS, _person_words(movie.directors))
    doc.add_text(f.CAST_WORDS, _person_words(movie.cast))
    if movie.overview:
        doc.add_text(f.OVERVIEW, _text(movie.overview))
    for genre in movie.genres:
        doc.add_text(f.GENRE_KEYS, genre.casefold())
        doc.add_text(f.GENRE_NAMES, genre)
    if movie.language:
        doc.add_text(f.LANGUAGE, movie.language.casefold())
    if movie.certification:
        doc.add_text(f.CERTIFICATION, movie.certification.casefold())
    if movie.external_id:
        doc.add_text(f.EXTERNAL_ID, movie.external_id)
    for name, value in ((f.YEAR, movie.year), (f.VOTES, movie.votes)):
        if value is not None:
            doc.add_integer(name, value)
    if movie.runtime_minutes is not None:
        doc.add_integer(f.RUNTIME, movie.runtime_minutes)
    if movie.rating is not None:
        doc.add_float(f.RATING, float(movie.rating))
    for name in f.SORTABLE:
        for descending in (False, True):
            doc.add_unsigned(f.rank_field(name, descending), rank(movie, name, descending))
    return doc


def tombstone_document(movie_id: str, version: int, stamp: int) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text(f.ID, movie_id)
    doc.add_text(f.KIND, f.TOMBSTONE)
    doc.add_integer(f.VERSION, version)
    doc.add_integer(f.STAMP, stamp)
    return doc


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the index holds for one id: a movie (with its JSON) or a tombstone."""

    movie_id: str
    version: int
    source: bytes | None


def _stored(doc: tantivy.Document, name: str) -> Any:
    value = doc.get_first(name)
    if value is None:
        raise ValueError(f"a search document lacks its {name}; rebuild the index")
    return value


def read_indexed(doc: tantivy.Document) -> Indexed:
    movie_id, version = str(_stored(doc, f.ID)), int(_stored(doc, f.VERSION))
    if _stored(doc, f.KIND) == f.TOMBSTONE:
        return Indexed(movie_id, version, None)
    return Indexed(movie_id, version, bytes(_stored(doc, f.SOURCE)))


def read_movie(doc: tantivy.Document) -> Movie:
    return decode_movie(bytes(_stored(doc, f.SOURCE)))


def read_id(doc: tantivy.Document) -> str:
    return str(_stored(doc, f.ID))


def read_tie_key(doc: tantivy.Document, name: str, descending: bool) -> str:
    """The key that orders this movie among those of equal rank for a sort."""
    folded = bytes(_stored(doc, f.FOLDED_TITLE)).decode() if name == "title" else ""
    return tie_key(name, descending, read_id(doc), folded)
