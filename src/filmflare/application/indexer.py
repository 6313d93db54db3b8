"""Projects the store's change feed into the search index.

Writers wake it right after committing, so a change is searchable within a second; it also
polls, so a change left behind by a crash or an index failure is applied on the next pass.
Applying a change twice is harmless (the index keeps the highest version), so several
processes may run it at once. The checkpoint advances only after the index holds the batch.

A pass applies what is pending when it starts: one index write and one bump of the search
generation, which retires every cached search-like answer, so that the next asking of each
goes to the index. Passes start ``PASS_SPACING`` apart at the closest, so writes in quick
succession share them instead of each paying for a pass and for what it retires.

A server starts serving before the backlog left in the feed is indexed (a large one takes
minutes): until the indexer's first pass has reached the end of the feed, ``check`` says
it is catching up, and readiness reports the search index as not ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from filmflare.application.cache_keys import SEARCH_GENERATION
from filmflare.application.response_cache import ResponseCache
from filmflare.domain.errors import BackendUnavailable
from filmflare.ports.repository import Change, ChangeFeed
from filmflare.ports.search_index import MovieSearchIndex

log = logging.getLogger(__name__)
CONSUMER = "search-index"
# Between the starts of two passes. A write waits for its pass at most this long, and a pass
# takes tens of milliseconds (a few hundred under heavy load), so it is still searchable
# within 1 s; and however many writes come, a pass, and what it costs the searches that
# follow, happens at most four times a second. (Measured on the embedded demo: 0.5 s gave a
# third more requests a second in the 90/10 mix, and writes 0.1-0.2 s longer to show.)
PASS_SPACING = 0.25


class Indexer:
    def __init__(
        self, feed: ChangeFeed, index: MovieSearchIndex, cache: ResponseCache, batch: int = 500
    ) -> None:
        self._feed = feed
        self._index = index
        self._cache = cache
        self._batch = batch
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._caught_up = False
        self._backlog_done = 0  # changes applied so far by the first catch-up

    def wake(self) -> None:
        self._wake.set()

    async def check(self) -> None:
        """Raise ``BackendUnavailable`` until a pass has reached the end of the change feed."""
        if not self._caught_up:
            raise BackendUnavailable(
                "search",
                f"catching up with the change feed ({self._backlog_done} changes indexed so far)",
            )

    async def catch_up(self) -> int:
        """Apply every change pending when it starts, a batch at a time, up to the end of the
        feed (not the changes that keep arriving: they make the next pass); returns how many
        were read."""
        async with self._lock:
            done = 0
            position = await self._feed.checkpoint(CONSUMER)
            while changes := await self._feed.read(position, self._batch):
                await self.apply(changes)
                position = changes[-1].position
                await self._feed.advance(CONSUMER, position)
                done += len(changes)
                if not self._caught_up:
                    self._backlog_done += len(changes)
                if len(changes) < self._batch:  # the end of the feed
                    break
            self._caught_up = True
            return done

    async def apply(self, changes: Sequence[Change]) -> None:
        latest: dict[str, Change] = {}
        for change in changes:
            seen = latest.get(change.movie_id)
            if seen is None or change.version > seen.version:
                latest[change.movie_id] = change
        upserts = [c.movie for c in latest.values() if c.movie is not None]
        deletes = [(c.movie_id, c.version) for c in latest.values() if c.movie is None]
        if upserts:
            await self._index.upsert(upserts)
        if deletes:
            await self._index.delete(deletes)
        await self._cache.invalidate(SEARCH_GENERATION)

    async def run(
        self,
        poll_interval: float = 1.0,
        max_backoff: float = 5.0,
        *,
        spacing: float = PASS_SPACING,
        until: asyncio.Event | None = None,
    ) -> None:
        """Catch up at once, then whenever woken and at least every ``poll_interval`` seconds,
        until ``until`` is set (forever without one) or the task is cancelled. A pass starts
        ``spacing`` seconds after the previous one at the earliest: writes woke it meanwhile
        wait for it together.

        After a failed pass (the index or the feed is down) it waits before the next one,
        doubling up to ``max_backoff`` and ignoring wake-ups meanwhile: otherwise every write
        during an outage would re-read the whole backlog against a backend that cannot take
        it. The outage is logged once when it starts and once when it ends.

        Cancel to interrupt a pass, and set ``until`` as well to be sure it ends: a library may
        swallow a cancellation (redis-py sends under ``asyncio.wait_for``, which on Python 3.11
        drops one that arrives as the send completes), and the pass then returns normally.
        """
        stopping = until or asyncio.Event()
        loop = asyncio.get_running_loop()
        failures = 0
        first = True
        started = loop.time()
        while not stopping.is_set():
            if first:
                first = False
            elif failures:
                await asyncio.sleep(min(max_backoff, poll_interval * 2 ** (failures - 1)))
            else:
                # Not asyncio.wait_for, for the reason above.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll_interval):
                        await self._wake.wait()
                await asyncio.sleep(max(0.0, started + spacing - loop.time()))
            self._wake.clear()
            if stopping.is_set():
                return
            started = loop.time()
            try:
                await self.catch_up()
            except Exception as error:  # keep projecting: the feed holds what failed
                failures += 1
                if failures == 1:
                    log.warning("indexing failed, retrying with backoff: %s", error)
                log.debug("indexing pass %d failed", failures, exc_info=True)
                continue
            if failures:
                log.warning("indexing recovered after %d failed passes", failures)
            failures = 0
