"""The scenarios on one profile at one catalog size, each beside its reference.

In order: bulk import (the API stopped, so nothing else indexes meanwhile); then one fresh
API process (empty cache) for the cached reads (search, movie, suggest) beside the bare
ceiling; uncached search at concurrency 1 (latency) and at full concurrency (throughput)
beside the engine's own time for the same queries; uncached movie reads (every id once);
the 90/10 read/write mix, since its writes invalidate what the others cached; on the
embedded profile, writes under 50 reading connections last (``busy_writes``), since they
add movies.
"""

from __future__ import annotations

import dataclasses
import json
import random
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import busy_writes, references
from bench.load import Load, wrk
from bench.plan import Inputs, Lists, Plan
from bench.profiles import Profile
from bench.results import Compare, Measure, MemoryReading, Result
from bench.rounds import Side, alternate
from bench.servers import BOTH_CPUS, CLIENT_CPU, Server, running

CACHED_TARGET = 0.8  # × the bare ASGI app, throughput
LATENCY_TARGET = 1.3  # × the engine's own median latency, at most
IMPORT_TARGET = 0.7  # × the engine's raw bulk rate
REIMPORT_TARGET = 3.0  # × the first import's rate: the same file again writes nothing
MEMORY_TARGET_MIB = 150.0  # per worker at 1M movies, production profile
SERVICE = "FilmFlare"
WARM_UP_SECONDS = 1.0
# The mix runs first unmeasured for this long: the scenarios before it (thousands of distinct
# searches and movies) have pushed its reads out of the caches, and computing them again
# once is a cost of the catalog's size, not of its writes.
MIX_WARM_UP_SECONDS = 3.0


class SizeRun:
    """Every scenario of ``profile`` at catalog ``size``.

    ``pin_backends(cpus)`` moves the backends: onto both cores while importing (the import
    is a pipeline through them, one step at a time), onto the load generator's core while
    the API serves. A scenario that fails is reported in ``failures`` and the run goes on.
    """

    def __init__(
        self,
        profile: Profile,
        size: str,
        plan: Plan,
        inputs: Inputs,
        pin_backends: Callable[[str], None] = lambda _cpus: None,
    ) -> None:
        self.profile = profile
        self.size = size
        self.plan = plan
        self.inputs = inputs
        self.pin_backends = pin_backends
        self.results: list[Result] = []
        self.failures: list[str] = []
        self.memory: MemoryReading | None = None
        self.movie_ceiling: Load | None = None

    def _attempt(self, name: str, scenario: Callable[[], None]) -> None:
        try:
            scenario()
        except Exception as error:  # one broken scenario must not lose the whole run
            text = " ".join(str(error).split())
            self.failures.append(f"{self.profile.name} {self.size} {name}: {text[-600:]}")
            print(f"bench: {self.failures[-1]}", flush=True)

    def run(self) -> None:
        self.pin_backends(BOTH_CPUS)
        self._attempt("bulk import", self.bulk_import)
        ids = self.profile.probe("ids", str(self.plan.ids), cpu=None)["ids"]
        random.Random(len(ids)).shuffle(ids)
        lists = Lists.write(self.profile.workdir / "lists" / self.size, ids)
        self.pin_backends(CLIENT_CPU)
        api = self.profile.api()
        with running(api, "/readyz"):
            reads_ceiling: list[Load] = []
            self._attempt("cached reads", lambda: reads_ceiling.append(self.cached(api, lists)))
            self._attempt("uncached search", lambda: self.uncached_search(api))
            self._attempt("uncached movie", lambda: self.uncached_movie(api, lists))
            if reads_ceiling:
                self._attempt("mix", lambda: self.mixed(api, lists, reads_ceiling[0]))
            if self.profile.name == "embedded":  # the targets are the embedded ones
                self._attempt("writes under reads", lambda: self.writes_under_reads(api, lists))
            movies = _total(api.url)
            memory = api.memory()
        measured = self.profile.name == "production" and self.size == "1m"
        target = MEMORY_TARGET_MIB if measured else None  # the target is at 1M
        self.memory = MemoryReading(
            self.profile.name, self.size, movies, memory.rss_mib, memory.peak_mib, target
        )

    def _add(
        self,
        scenario: str,
        service: Measure,
        reference: Measure | None,
        compare: Compare = "throughput",
        target: float | None = None,
        connections: int | None = None,
        notes: str = "",
    ) -> None:
        self.results.append(
            Result(
                self.profile.name,
                self.size,
                scenario,
                service,
                reference,
                compare,
                target,
                connections,
                notes,
            )
        )

    def bulk_import(self) -> None:
        rows = str(self.inputs.import_rows[self.size])
        imported = self.profile.probe("import", rows)
        raw_bulk = self.profile.probe("engine-bulk", rows)
        raw_put = self.profile.probe("store-put", rows)
        put = Measure.of_items("store raw put", raw_put, "items/s")
        self._add(
            f"bulk import ({imported['taken']:,} movies)",
            Measure.of_items(SERVICE, imported),
            Measure.of_items("engine raw bulk", raw_bulk),
            target=IMPORT_TARGET,
            notes=f"store raw put: {put.rate:,.0f} items/s",
        )
        again = self.profile.probe("import", rows)
        if again["created"] or again["updated"]:
            raise RuntimeError(f"importing the same file again wrote movies: {again}")
        self._add(
            f"re-import, nothing changed ({again['unchanged']:,} movies)",
            Measure.of_items(SERVICE, again),
            Measure.of_items("first import", imported),
            target=REIMPORT_TARGET,
            notes="every row matched by external_id and found unchanged: no write",
        )

    def _pair(self, api: Server, ceiling: Server, name: str, targets: Path) -> Load:
        """The API and the bare app on ``targets``, in alternating rounds; the ceiling's load."""
        c = self.plan.connections

        def side(server: Server) -> Side:
            return lambda seconds, _offset: wrk(server.url, "paths", [str(targets)], c, seconds)

        for server in (api, ceiling):
            side(server)(WARM_UP_SECONDS, 0)
        service, bare, _ = alternate(side(api), side(ceiling), self.plan.seconds)
        if name:
            self._add(
                name,
                Measure.of_load(SERVICE, service),
                Measure.of_load("bare ASGI app", bare),
                target=CACHED_TARGET,
                connections=c,
                notes=_errors(service),
            )
        return bare

    def cached(self, api: Server, lists: Lists) -> Load:
        workdir = self.profile.workdir / "ceiling"
        hot = lists.hot()
        answers = references.record_answers(api.url, hot, workdir / "answers.json")
        # the bare app answers only what was recorded: a recorded target tells it is up
        with running(references.ceiling(answers, workdir), hot[0]) as bare:
            self.movie_ceiling = self._pair(api, bare, "GET /movies/{id} cached", lists.movies)
            self._pair(api, bare, "GET /movies?… cached", lists.searches)
            self._pair(api, bare, "GET /movies/suggest cached", lists.prefixes)
            return self._pair(api, bare, "", lists.reads)

    def uncached_search(self, api: Server) -> None:
        """Distinct searches through the API and straight to the engine, each round's on
        the same new queries."""
        targets, bodies = self.inputs.searches, self.inputs.bodies

        def through_api(c: int) -> Side:
            return lambda seconds, at: wrk(api.url, "paths", [str(targets), str(at)], c, seconds)

        def engine(c: int) -> Side:
            return lambda seconds, at: references.engine_query(
                self.profile, targets, bodies, at, c, seconds
            )

        alone, own, offset = alternate(through_api(1), engine(1), self.plan.seconds)
        self._add(
            "GET /movies?… uncached, latency",
            Measure.of_load(SERVICE, alone),
            Measure.of_load("engine's own", own),
            compare="latency",
            target=LATENCY_TARGET,
            connections=1,
            notes=_errors(alone),
        )
        c = self.plan.connections
        note = ""
        if self.profile.engine_url:
            busy, own, _ = alternate(through_api(c), engine(c), self.plan.seconds, offset)
        else:  # the embedded engine runs in the API's one process: one query at a time
            busy = through_api(c)(self.plan.seconds, offset)
            note = "engine: in-process, one query at a time"
        self._add(
            "GET /movies?… uncached, throughput",
            Measure.of_load(SERVICE, busy),
            Measure.of_load("engine's own", own),
            connections=c,
            notes=_errors(busy) or note,
        )

    def uncached_movie(self, api: Server, lists: Lists) -> None:
        assert self.movie_ceiling is not None, "the cached runs measure the ceiling first"
        c, targets = self.plan.connections, lists.uncached_movies
        ids = len(targets.read_text(encoding="utf-8").split())
        load = wrk(api.url, "paths", [str(targets), "0", "once"], c, self.plan.seconds)
        # wrk waits out the duration even when every id was asked before it ended
        load = dataclasses.replace(load, stopped_early=load.requests >= ids)
        ran_out = " (all the store's ids; rate from the latencies)" if load.stopped_early else ""
        self._add(
            "GET /movies/{id} uncached",
            Measure.of_load(SERVICE, load),
            Measure.of_load("bare ASGI app", self.movie_ceiling),
            connections=c,
            notes=_errors(load) or f"{load.requests:,} ids, each asked once{ran_out}",
        )

    def mixed(self, api: Server, lists: Lists, reads_ceiling: Load) -> None:
        c = self.plan.connections
        args = [str(lists.reads), str(lists.writes), self.profile.token()]
        wrk(api.url, "mix", args, c, MIX_WARM_UP_SECONDS)
        load = wrk(api.url, "mix", args, c, self.plan.seconds)
        self._add(
            "90% read / 10% write",
            Measure.of_load(SERVICE, load),
            Measure.of_load("bare ASGI app (reads)", reads_ceiling),
            connections=c,
            notes="; ".join(
                n for n in (f"after {MIX_WARM_UP_SECONDS:g} s of it unmeasured", _errors(load)) if n
            ),
        )

    def writes_under_reads(self, api: Server, lists: Lists) -> None:
        seconds = max(3.0, self.plan.seconds)
        token = self.profile.token()
        quiet, busy, reads = busy_writes.measure(
            api.url, token, lists, self.inputs.searches, seconds
        )
        alone = "same writes, no reads"
        how = (
            f"{busy_writes.WRITERS} connections writing {busy_writes.WRITE_RATE:g}/s "
            f"beside {busy_writes.READERS} reading: {reads.rate:,.0f} reads/s, p50 "
            f"{reads.latency_us['p50'] / 1000:.1f} ms, p99 {reads.latency_us['p99'] / 1000:.1f} ms"
        )
        problems = [f"write errors {busy.errors}" if busy.errors else "", _errors(reads)]
        notes = "; ".join([how, *filter(None, problems)])
        self._add(
            "writes under reads",
            busy.latency(SERVICE),
            quiet.latency(alone),
            compare="p99",
            target=busy_writes.WRITE_P99_MS,
            connections=busy_writes.WRITERS,
            notes=notes,
        )
        self._add(
            "search visibility under reads",
            busy.visibility(SERVICE),
            quiet.visibility(alone),
            compare="p99",
            target=busy_writes.VISIBLE_P99_MS,
            connections=busy_writes.WRITERS,
            notes="time from a write's 2xx to the first search that shows it"
            + (f"; never seen: {busy.unseen}" if busy.unseen else ""),
        )


def _errors(load: Load) -> str:
    return f"errors: {load.errors}" if load.failed else ""


def _total(url: str) -> int:
    with urllib.request.urlopen(f"{url}/movies?per_page=1", timeout=30) as answer:  # noqa: S310
        return int(json.load(answer)["total_results"])
