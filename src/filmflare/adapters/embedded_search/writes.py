"""Versioned writes: the highest version of each id wins, deletions included.

Each id has one document: its movie, or the tombstone of its deletion (kept so that an
older upsert arriving late cannot bring the movie back). A write whose version does not
exceed the indexed one changes nothing, which makes replaying a change harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search.codec import decode_movie
from filmflare.adapters.embedded_search.documents import (
    Indexed,
    movie_document,
    read_indexed,
    tombstone_document,
)
from filmflare.domain.movie import Movie

_LOOKUP_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Delete:
    movie_id: str
    version: int


Write = Movie | Delete


@dataclass(frozen=True, slots=True)
class Staged:
    """One id's change: what the index held before (None: nothing) and the movie it holds
    after (None: the tombstone of its deletion)."""

    movie_id: str
    before: Indexed | None
    after: Movie | None


def indexed(
    searcher: tantivy.Searcher, schema: tantivy.Schema, ids: Iterable[str]
) -> dict[str, Indexed]:
    """What the index holds now for each of ``ids`` that it knows."""
    found: dict[str, Indexed] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[start : start + _LOOKUP_CHUNK]
        query = tantivy.Query.term_set_query(schema, f.ID, chunk)
        for _score, address in searcher.search(query, len(chunk), count=False).hits:
            held = read_indexed(searcher.doc(address))
            found[held.movie_id] = held
    return found


def apply(
    writer: tantivy.IndexWriter,
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    writes: Sequence[Write],
    stamp: int,
) -> list[Staged]:
    """Stage every write that outranks what is indexed; returns the changes staged, one per
    id (from what was held to the last write staged).

    ``searcher`` must see the last commit made under the lock ``writer`` holds.
    """
    ids = [w.id if isinstance(w, Movie) else w.movie_id for w in writes]
    held = indexed(searcher, schema, ids)
    versions = {key: found.version for key, found in held.items()}
    staged: dict[str, Staged] = {}
    for write, movie_id in zip(writes, ids, strict=True):
        if write.version <= versions.get(movie_id, 0):
            continue
        writer.delete_documents_by_term(f.ID, movie_id)
        if isinstance(write, Movie):
            writer.add_document(movie_document(write, stamp))
        else:
            writer.add_document(tombstone_document(movie_id, write.version, stamp))
        versions[movie_id] = write.version
        after = write if isinstance(write, Movie) else None
        staged[movie_id] = Staged(movie_id, held.get(movie_id), after)
    return list(staged.values())


def as_write(held: Indexed) -> Write:
    """Replay an indexed document as the write that produced it."""
    if held.source is None:
        return Delete(held.movie_id, held.version)
    return decode_movie(held.source)
