"""Import many movies at once (``filmflare import``).

Rules: each row passes the same rules as ``POST /movies`` or is rejected with its line and
reason, and the rest still go in; rows are written in batches, each movie with its change
record, and the index catches up from the change feed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from filmflare.application.indexer import Indexer
from filmflare.domain.errors import DuplicateId, ValidationFailed
from filmflare.domain.movie import Movie, new_movie_id
from filmflare.domain.rules import parse_movie_data
from filmflare.ports.clock import Clock
from filmflare.ports.repository import MovieRepository


@dataclass(slots=True)
class ImportReport:
    taken: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


class ImportMovies:
    def __init__(
        self, repository: MovieRepository, indexer: Indexer, clock: Clock, batch: int = 500
    ) -> None:
        self._repository = repository
        self._indexer = indexer
        self._clock = clock
        self._batch = batch

    async def execute(
        self,
        rows: Iterable[tuple[int, object]],
        progress: Callable[[int], None] = lambda _n: None,
    ) -> ImportReport:
        """``rows`` are (line, JSON object) pairs; a row that is an error message is rejected."""
        report = ImportReport()
        pending: list[Movie] = []
        for line, row in rows:
            progress(1)
            if isinstance(row, str):
                report.rejected.append((line, row))
                continue
            try:
                data = parse_movie_data(row)
            except ValidationFailed as failed:
                report.rejected.append((line, str(failed)))
                continue
            pending.append(Movie.create(new_movie_id(), data, self._clock.now()))
            if len(pending) >= self._batch:
                await self._flush(pending, report)
        await self._flush(pending, report)
        await self._indexer.catch_up()
        return report

    async def _flush(self, pending: list[Movie], report: ImportReport) -> None:
        if not pending:
            return
        for _ in range(5):
            try:
                await self._repository.add_many(pending)
                break
            except DuplicateId:  # another process minted one of these ids: mint afresh
                pending[:] = [replace(m, id=new_movie_id()) for m in pending]
        else:
            raise DuplicateId("could not find free ids for a batch")
        report.taken += len(pending)
        pending.clear()
