"""Import many movies at once (``filmflare import``), as often as the file is fed again.

Rules:
- Each row passes the same rules as ``POST /movies`` or is rejected with its line and
  reason, and the rest still go in (``import_rows`` says what an exported row may carry).
- A row whose ``external_id`` a movie holds updates that movie when something changed (a
  new version and change record, its cached reads retired), and is left alone when nothing
  did: no write at all. With ``keep_ids`` a row is matched by its ``id`` instead, and a new
  movie takes the row's id and creation time.
- Rows are written in batches, each movie with its change record, each batch with the mark
  of how far into its file it reaches, so a run killed halfway resumes after the last
  committed batch: the rows without an ``external_id`` up to the mark are skipped (they
  went in), the others are matched again as always. ``restart`` forgets the mark.
- A batch refused because another writer got there first (an external id taken, a movie
  changed) is resolved again from what committed, a few times, before the import fails.
- The index catches up from the change feed at the end.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from filmflare.application.commits import Commits
from filmflare.application.indexer import Indexer
from filmflare.domain.errors import (
    DuplicateId,
    ExternalIdTaken,
    MovieNotFound,
    ValidationFailed,
    VersionConflict,
)
from filmflare.domain.import_rows import ImportRow, parse_import_row
from filmflare.domain.movie import Movie, new_movie_id
from filmflare.ports.clock import Clock
from filmflare.ports.imports import ImportMark, ImportStore, ImportWrite

ATTEMPTS = 5
_RACES = (DuplicateId, ExternalIdTaken, VersionConflict, MovieNotFound)


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows without external_id that an earlier run of the file committed
    rejected: list[tuple[int, str]] = field(default_factory=list)
    resumed_after: int | None = None  # the line an earlier run of the file had reached

    @property
    def taken(self) -> int:
        """Rows that are in the catalog as they read: written now, or already there."""
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    row: ImportRow


@dataclass(frozen=True, slots=True)
class _Outcome:
    line: int
    kind: str  # "created", "updated", "unchanged" or "rejected"
    write: ImportWrite | None = None
    reason: str = ""


class ImportMovies:
    def __init__(
        self,
        imports: ImportStore,
        commits: Commits,
        indexer: Indexer,
        clock: Clock,
        batch: int = 500,
    ) -> None:
        self.imports = imports
        self.commits = commits
        self.indexer = indexer
        self.clock = clock
        self.batch = batch

    async def execute(
        self,
        rows: Iterable[tuple[int, object]],
        *,
        source: str | None = None,
        keep_ids: bool = False,
        restart: bool = False,
        progress: Callable[[int], None] = lambda _line: None,
    ) -> ImportReport:
        """``rows`` are (line, JSON object) pairs, a row that is an error message rejected;
        ``progress`` hears the line of each row read.

        ``source`` names the file by its content (a digest), so that a run of the same file
        resumes where the last one stopped; without it (standard input) a run starts over.
        """
        # Standard input gets a source of its own, never resumed, forgotten at the end.
        run = _Run(self, source or f"run:{uuid.uuid4().hex}", keep_ids)
        if source is not None and restart:
            await self.imports.forget(source)
        reached = None if source is None else await self.imports.reached(source)
        run.report.resumed_after = reached
        for line, raw in rows:
            await run.take(line, raw, reached or 0)
            progress(line)
        await run.flush()
        if source is None:
            await self.imports.forget(run.source)
        await self.indexer.catch_up()
        return run.report


class _Run:
    """One execution: the pending batch and the report."""

    def __init__(self, use_case: ImportMovies, source: str, keep_ids: bool) -> None:
        self.imports = use_case.imports
        self.commits = use_case.commits
        self.clock = use_case.clock
        self.batch = use_case.batch
        self.source = source
        self.keep_ids = keep_ids
        self.report = ImportReport()
        self.pending: list[_Row] = []
        self.keys: set[str] = set()  # the external ids and kept ids of the pending rows
        self.line = 0  # the last line read

    async def take(self, line: int, raw: object, reached: int) -> None:
        self.line = line
        if isinstance(raw, str):
            self.report.rejected.append((line, raw))
            return
        try:
            row = parse_import_row(raw, self.keep_ids)
        except ValidationFailed as failed:
            self.report.rejected.append((line, str(failed)))
            return
        keys = {key for key in (row.data.external_id, row.movie_id) if key is not None}
        if line <= reached and not keys:
            self.report.skipped += 1
            return
        if keys & self.keys:  # a second row for one movie: it applies to what the first made
            await self.flush(upto=line - 1)
        self.pending.append(_Row(line, row))
        self.keys |= keys
        if len(self.pending) >= self.batch:
            await self.flush()

    async def flush(self, upto: int | None = None) -> None:
        """Commit the pending rows, marking the file read up to ``upto`` (default: the last
        line read)."""
        rows, mark = self.pending, ImportMark(self.source, self.line if upto is None else upto)
        self.pending, self.keys = [], set()
        imports = self.imports
        refused: Exception | None = None
        for _ in range(ATTEMPTS):
            outcomes = await self._resolve(rows)
            writes = [o.write for o in outcomes if o.write is not None]
            updated = [o.write.movie.id for o in outcomes if o.kind == "updated" and o.write]
            try:
                await self.commits.run(partial(imports.commit, writes, mark), changed=updated)
            except _RACES as error:  # another writer came first: start from what committed
                refused = error
                reached = await imports.reached(self.source) or 0
                self._count([o for o in outcomes if o.line <= reached])
                rows = [r for r in rows if r.line > reached]
                continue
            self._count(outcomes)
            return
        assert refused is not None
        raise refused

    async def _resolve(self, rows: Sequence[_Row]) -> list[_Outcome]:
        """What each row comes to against the catalog as it is now."""
        imports = self.imports
        external_ids = [r.row.data.external_id for r in rows if r.row.data.external_id]
        kept_ids = [r.row.movie_id for r in rows if r.row.movie_id]
        holders, known = await asyncio.gather(
            imports.holders(external_ids) if external_ids else _nothing(),
            imports.known_ids(kept_ids) if kept_ids else _nothing(),
        )
        now = self.clock.now()
        return [_outcome(r, holders, known, now) for r in rows]

    def _count(self, outcomes: Sequence[_Outcome]) -> None:
        """Report committed outcomes."""
        report = self.report
        for outcome in outcomes:
            if outcome.kind == "rejected":
                report.rejected.append((outcome.line, outcome.reason))
            else:
                setattr(report, outcome.kind, getattr(report, outcome.kind) + 1)


async def _nothing() -> Mapping[str, Movie | None]:
    return {}


def _outcome(
    r: _Row, holders: Mapping[str, Movie | None], known: Mapping[str, Movie | None], now: datetime
) -> _Outcome:
    """What ``r`` comes to: created, updated, unchanged or rejected."""
    row = r.row
    holder = holders.get(row.data.external_id) if row.data.external_id else None
    current = holder
    if row.movie_id is not None:
        current = known.get(row.movie_id)
        if row.movie_id in known and current is None:
            reason = f"id {row.movie_id!r} belonged to a deleted movie; ids are never reused"
            return _Outcome(r.line, "rejected", reason=reason)
        if holder is not None and holder.id != row.movie_id:
            reason = str(ExternalIdTaken(row.data.external_id or "", holder.id))
            return _Outcome(r.line, "rejected", reason=reason)
    if current is None:
        movie = Movie.create(row.movie_id or new_movie_id(), row.data, now)
        if row.created_at is not None:
            movie = replace(movie, created_at=row.created_at)
        return _Outcome(r.line, "created", ImportWrite(r.line, movie))
    if current.data == row.data:
        return _Outcome(r.line, "unchanged")
    revised = current.revise(row.data, now)
    return _Outcome(r.line, "updated", ImportWrite(r.line, revised, current))
