"""Versioned bulk writes: the highest version of each id wins, deletions included.

Every write is an ``index`` action with the movie's version as an external version, so the
engine keeps a document only when its version is higher than the stored one: a write that
arrives late or twice answers 409, which is expected and ignored. A deletion indexes a
tombstone (the engine forgets the versions of deleted documents after a while, a tombstone
never), so an older upsert arriving later cannot bring the movie back.

A batch goes out in chunks, a few at a time; items the engine refuses for being busy (429)
or because their index was just frozen by a rebuild (403 block) are sent again after a
pause. The answer comes once the writes are searchable (``refresh=wait_for``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import EngineClient, EngineError, Json
from filmflare.adapters.search_engine.codec import decode_movie
from filmflare.adapters.search_engine.documents import movie_document, tombstone_document
from filmflare.domain.errors import BackendUnavailable
from filmflare.domain.movie import Movie

_CONFLICT = 409
_RETRIED = {429, 403}  # too busy; an index being swapped out by a rebuild
_CHUNK_BYTES = 5_000_000
_PAUSES = (0.1, 0.2, 0.5, 1.0, 2.0)  # seconds before each new try of refused items


class MissingIndex(BackendUnavailable):
    """The alias written to names no index."""


@dataclass(frozen=True, slots=True)
class Write:
    """One document for the index: a movie or a tombstone, at its version."""

    movie_id: str
    version: int
    document: Json


def movie_write(movie: Movie) -> Write:
    return Write(movie.id, movie.version, movie_document(movie))


def tombstone_write(movie_id: str, version: int) -> Write:
    return Write(movie_id, version, tombstone_document(movie_id, version))


def replayed(source: Json) -> Write:
    """The write that produced an indexed document (its ``_source``), made anew."""
    if source[f.KIND] == f.TOMBSTONE_KIND:
        return tombstone_write(source[f.ID], int(source[f.VERSION]))
    return movie_write(decode_movie(source[f.MOVIE]))


def _actions(target: str, alias: bool, writes: Sequence[Write]) -> list[Json]:
    lines: list[Json] = []
    for write in writes:
        action: Json = {
            "_index": target,
            "_id": write.movie_id,
            "version": write.version,
            "version_type": "external",
        }
        if alias:  # never let a write create a stray index where the alias should be
            action["require_alias"] = True
        lines += [{"index": action}, write.document]
    return lines


def chunks(writes: Sequence[Write], size: int) -> list[Sequence[Write]]:
    """Runs of at most ``size`` writes and about ``_CHUNK_BYTES`` of documents each."""
    found: list[Sequence[Write]] = []
    start, weight = 0, 0
    for n, write in enumerate(writes):
        weight += len(str(write.document))
        if n + 1 - start >= size or weight >= _CHUNK_BYTES:
            found.append(writes[start : n + 1])
            start, weight = n + 1, 0
    if start < len(writes):
        found.append(writes[start:])
    return found


class BulkWriter:
    """Writes batches to one index or alias through ``client``, ``concurrency`` at a time."""

    def __init__(
        self,
        client: EngineClient,
        chunk: int = 500,
        concurrency: int = 2,
        pauses: Sequence[float] = _PAUSES,
    ) -> None:
        self._client = client
        self._chunk = chunk
        self._slots = asyncio.Semaphore(concurrency)
        self._pauses = pauses

    async def write(
        self, target: str, writes: Sequence[Write], alias: bool, wait: bool = True
    ) -> None:
        """Apply ``writes`` to ``target`` (an alias when ``alias``); with ``wait``, return
        once they are searchable."""
        parts = chunks(writes, self._chunk)
        if len(parts) == 1:
            await self._send(target, parts[0], alias, wait)
            return
        try:
            async with asyncio.TaskGroup() as group:
                for part in parts:
                    group.create_task(self._send(target, part, alias, wait))
        except ExceptionGroup as failed:  # the first failure says it; the others stopped
            raise failed.exceptions[0] from None

    async def _send(self, target: str, writes: Sequence[Write], alias: bool, wait: bool) -> None:
        async with self._slots:
            pending = writes
            for pause in (*self._pauses, None):
                pending = await self._attempt(target, pending, alias, wait)
                if not pending:
                    return
                if pause is None:
                    break
                await asyncio.sleep(pause)
        raise BackendUnavailable("search", f"the engine kept refusing {len(pending)} writes")

    async def _attempt(
        self, target: str, writes: Sequence[Write], alias: bool, wait: bool
    ) -> list[Write]:
        """Send ``writes`` once; returns those to send again."""
        try:
            answer = await self._client.bulk(_actions(target, alias, writes), wait)
        except EngineError as error:
            if error.status in _RETRIED:
                return list(writes)
            raise BackendUnavailable("search", str(error)) from error
        if not answer.get("errors"):
            return []
        again: list[Write] = []
        for write, item in zip(writes, answer["items"], strict=True):
            outcome = next(iter(item.values()))
            status = int(outcome.get("status", 200))
            if status < 300 or status == _CONFLICT:
                continue
            if status in _RETRIED:
                again.append(write)
                continue
            if (outcome.get("error") or {}).get("type") == "index_not_found_exception":
                raise MissingIndex("search", f"no index {target!r}; run filmflare init")
            raise BackendUnavailable("search", _refusal(write, outcome))
        return again


def _refusal(write: Write, outcome: Json) -> str:
    error = outcome.get("error") or {}
    kind, reason = error.get("type", "error"), error.get("reason", "")
    return f"the engine refused movie {write.movie_id!r}: {kind}: {reason}"
