"""What an import needs of the store beyond ``MovieRepository``: lookups by external id and
by id, and batches committed with a mark of how far into their file they reach."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from filmflare.domain.movie import Movie


@dataclass(frozen=True, slots=True)
class ImportWrite:
    """The write of the row on ``line``: ``movie`` created (``previous`` None) or stored
    over ``previous``, the state it revises."""

    line: int
    movie: Movie
    previous: Movie | None = None


@dataclass(frozen=True, slots=True)
class ImportMark:
    """How far into the file ``source`` (its content's digest) an import has committed."""

    source: str
    line: int


class ImportStore(Protocol):
    """The store's side of ``filmflare import``.

    - ``holders`` maps each of ``external_ids`` that a stored movie holds to that movie.
    - ``known_ids`` maps each of ``ids`` ever used to its movie, or to None when that movie
      was deleted (an id is never reused); an id never used is absent.
    - ``commit`` stores ``writes`` (in line order) with their change records, then moves the
      mark of ``mark.source`` to ``mark.line`` (never back). The promise that lets a killed
      import resume: whenever the mark reads L, every write of a line up to L is committed
      and none after it is. Writes are refused as ``MovieRepository`` refuses them
      (``DuplicateId``, ``ExternalIdTaken``, ``VersionConflict``, ``MovieNotFound``); a
      refused batch may have committed a prefix of its writes, which the mark then covers.
    - ``reached`` is where the import of ``source`` stopped (None: never, or forgotten);
      ``forget`` starts it over.
    """

    async def holders(self, external_ids: Sequence[str]) -> Mapping[str, Movie]: ...

    async def known_ids(self, ids: Sequence[str]) -> Mapping[str, Movie | None]: ...

    async def commit(self, writes: Sequence[ImportWrite], mark: ImportMark | None) -> None: ...

    async def reached(self, source: str) -> int | None: ...

    async def forget(self, source: str) -> None: ...
