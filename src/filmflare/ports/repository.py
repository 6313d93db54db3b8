"""The movie repository: the source of truth, with its change feed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from filmflare.domain.movie import Movie


@dataclass(frozen=True, slots=True)
class Change:
    """One committed write, as the change feed records it.

    ``movie`` is the state after the write, or None when the write deleted the movie; a
    deletion's ``version`` is one more than the last stored version, so it outranks every
    state it removes. ``position`` orders changes within the feed.
    """

    position: str
    movie_id: str
    version: int
    movie: Movie | None


class MovieRepository(Protocol):
    """Stores movies. Every write is atomic with its change record in the feed.

    - ``get`` returns None for an unknown id; a write is visible to ``get`` once it returns.
    - ``add`` raises ``DuplicateId`` if the id exists (or ever existed).
    - ``replace`` stores ``movie`` (whose version is the stored one + 1) only while the stored
      version equals ``movie.version - 1``: else ``VersionConflict``; a missing id is
      ``MovieNotFound``. It never creates.
    - ``delete`` removes the movie if its version is ``expected_version`` (any version when
      None) and returns the removed movie; ``MovieNotFound`` or ``VersionConflict`` otherwise.
    - ``external_id`` is unique among stored movies: ``add``, ``add_many`` and ``replace``
      raise ``ExternalIdTaken`` (and write nothing) when another movie, or another movie of
      the batch, holds it; deleting the movie or setting it to null frees it.
    - An unreachable backend is ``BackendUnavailable``.
    """

    async def ensure(self) -> None:
        """Create tables if missing and wait until they serve (idempotent)."""
        ...

    async def get(self, movie_id: str) -> Movie | None: ...

    async def add(self, movie: Movie) -> None: ...

    async def add_many(self, movies: Sequence[Movie]) -> None:
        """Bulk insert of new movies (fresh ids), each with its change record."""
        ...

    async def replace(self, movie: Movie, previous: Movie) -> None:
        """Store ``movie`` over ``previous``, the stored state it revises (the version
        condition above proves it still is)."""
        ...

    async def delete(self, movie_id: str, expected_version: int | None) -> Movie: ...

    async def count(self) -> int: ...

    def scan(self, batch_size: int = 500) -> AsyncIterator[Sequence[Movie]]:
        """Every stored movie, in batches, in no particular order."""
        ...

    async def ping(self) -> None:
        """Returns when the backend answers; ``BackendUnavailable`` otherwise."""
        ...

    async def close(self) -> None: ...


class ChangeFeed(Protocol):
    """Committed changes in commit order, read from a consumer's checkpoint.

    ``read`` returns changes after ``after`` (from the start when None), oldest first, at most
    ``limit``. ``checkpoint`` is where the named consumer stopped; ``advance`` moves it forward
    (never back) and may forget changes every consumer has passed. Several processes may
    consume at once: they see the same changes, and applying one twice must do no harm.
    """

    async def read(self, after: str | None, limit: int) -> Sequence[Change]: ...

    async def checkpoint(self, consumer: str) -> str | None: ...

    async def advance(self, consumer: str, position: str) -> None: ...
