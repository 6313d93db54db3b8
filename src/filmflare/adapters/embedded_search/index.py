"""``MovieSearchIndex`` on tantivy, inside the process: in RAM, or on disk under a directory.

tantivy calls block, so they run on threads: writes one at a time on their own thread
(each commits and reloads before it returns, so it is visible to the next query), queries
on a small pool. Any tantivy or file-system failure surfaces as ``BackendUnavailable``.
Search pages outlive the commits that cannot change them (``answers``).

A commit may start merging segments. The writer, and with it the index's writer lock, is
released once those merges end, by a job of its own on the write thread: the next write
waits for it, as before, but the write that started them returns at once, so what it wrote
is searchable without waiting for a merge (which takes seconds on a large index).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from filmflare.adapters.embedded_search import facets, suggest
from filmflare.adapters.embedded_search.answers import Answers
from filmflare.adapters.embedded_search.generation import (
    Generation,
    IndexOutdated,
    IndexUnavailable,
)
from filmflare.adapters.embedded_search.rebuild import discard, fill, swap_in
from filmflare.adapters.embedded_search.store import IndexHome
from filmflare.adapters.embedded_search.writes import Delete, Write, apply
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.errors import BackendUnavailable, DomainError
from filmflare.domain.movie import Movie
from filmflare.domain.search import GenreCount, Position, SearchPage, Suggestion

T = TypeVar("T")
log = logging.getLogger(__name__)
_READ_THREADS = 4
_FAILURES = (IndexUnavailable, OSError, ValueError, RuntimeError)


class EmbeddedSearchIndex:
    """The search index of the embedded profile; ``path=None`` keeps it in RAM (tests)."""

    def __init__(self, path: Path | None) -> None:
        self._home = IndexHome(path)
        self._writer: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._rebuilding = asyncio.Lock()
        self._kept: contextlib.ExitStack | None = None  # the last write's writer, on its thread
        self.answers = Answers()

    async def start(self) -> None:
        """Open the index, creating it when missing. An index made with another schema is
        left as it is: searches answer 503 until ``filmflare init`` rebuilds it."""
        self._open_pools()
        await self._exclusive(self._open)

    async def ensure(self) -> bool:
        self._open_pools()
        return await self._exclusive(self._home.ensure)

    def _open(self) -> None:
        try:
            self._home.open(create=True)
        except IndexOutdated as outdated:
            log.warning("%s", outdated)

    def _open_pools(self) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="search-write")
            self._readers = ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="search-read")

    async def close(self) -> None:
        pools = [p for p in (self._writer, self._readers) if p is not None]
        self._writer = self._readers = None
        for pool in pools:  # let a running write finish its commit
            await asyncio.to_thread(pool.shutdown, wait=True)
        self._home.forget()
        self.answers.clear()

    async def ping(self) -> None:
        await self._read(lambda generation: generation.searcher().num_docs)

    async def upsert(self, movies: Sequence[Movie]) -> None:
        if movies:
            await self._commit(list(movies))

    async def delete(self, versions: Sequence[tuple[str, int]]) -> None:
        if versions:
            await self._commit([Delete(movie_id, version) for movie_id, version in versions])

    async def search(self, criteria: SearchCriteria, position: Position | None) -> SearchPage:
        return await self._read(lambda g: self.answers.search(g, criteria, position))

    async def suggest(self, text: str, limit: int) -> Sequence[Suggestion]:
        return await self._read(lambda g: suggest.suggest(g.searcher(), g.schema, text, limit))

    async def genres(self) -> Sequence[GenreCount]:
        return await self._read(lambda g: facets.all_genres(g.searcher(), g.schema))

    async def rebuild(self, batches: AsyncIterable[Sequence[Movie]]) -> int:
        """Fill a new generation while the current one answers, then swap them.

        Writes that reach the current generation meanwhile (from this process or another)
        are carried over before the swap, under its writer lock, with every tombstone.
        """
        async with self._rebuilding:
            began = time.time_ns()
            fresh = await self._exclusive(self._home.new_generation)
            count = 0
            try:
                async for batch in batches:
                    movies = list(batch)
                    await self._exclusive(partial(fill, fresh, movies, began))
                    count += len(movies)
                await self._exclusive(partial(swap_in, self._home, fresh, began))
            except BaseException:
                await asyncio.to_thread(discard, self._home, fresh)
                raise
            return count

    async def _commit(self, writes: Sequence[Write]) -> None:
        await self._exclusive(partial(self._write, writes))

    async def _exclusive(self, work: Callable[[], T]) -> T:
        """``work`` on the write thread, once the writer the last write kept is released."""

        def job() -> T:
            self._release()
            return work()

        return await self._run(self._writer, job)

    def _write(self, writes: Sequence[Write]) -> None:
        """On the write thread: stage and commit ``writes`` and reload, so that what they
        changed is searchable. The writer is kept; a job queued next releases it."""
        with contextlib.ExitStack() as holding:
            generation, writer = holding.enter_context(self._home.writable())
            before, searcher = generation.snapshot()
            staged = apply(writer, searcher, generation.schema, writes, time.time_ns())
            if staged:
                writer.commit()
                generation.reload()
                self.answers.record(generation, before, generation.version, staged)
            self._kept = holding.pop_all()
        pool = self._writer
        if pool is not None:  # None: closing, and no job runs after this one
            with contextlib.suppress(RuntimeError):  # shutting down: no new job either
                pool.submit(self._release)
                return
        self._release()

    def _release(self) -> None:
        """On the write thread: wait for the merges of the kept writer's commit, then drop
        it and its lock. A failed merge leaves segments unmerged, nothing worse."""
        kept, self._kept = self._kept, None
        if kept is not None:
            try:
                kept.close()
            except _FAILURES as error:
                log.warning("a merge of search index segments failed: %s", error)

    async def _read(self, work: Callable[[Generation], T]) -> T:
        def run() -> T:
            generation = self._home.current()
            if generation is None:
                raise IndexUnavailable("the search index does not exist; run filmflare init")
            return work(generation)

        return await self._run(self._readers, run)

    async def _run(self, pool: ThreadPoolExecutor | None, work: Callable[[], T]) -> T:
        if pool is None:
            raise BackendUnavailable("search", "the index is not open")
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, work)
        except DomainError:
            raise
        except _FAILURES as error:
            raise BackendUnavailable("search", str(error)) from error
