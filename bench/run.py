"""``make bench``: every scenario, on each profile and catalog size, beside its references.

    python -m bench.run [--profile embedded|production|all] [--sizes demo,100k,1m]
                        [--scenario all|services|query-cost] [--engines E,...] [--queries N]
                        [--seconds S] [--connections C] [--log-level L] [--quick] [--keep]

Sizes run smallest first, each catalog growing into the next (the rows of a catalog are the
first rows of every bigger one). The production profile keeps the demo catalog (and each
size's imported rows) in its store: moto, the local DynamoDB, does not hold a million
movies in memory nor take them through transactions in time. Its search index gets the
bigger catalogs straight from the adapter's documents, so the searches and the API's
memory are measured at full size. Both profiles load a size at once, then measure in turn.

The query-cost scenario (``query_cost_run``: FilmFlare's query beside plain ones, on
OpenSearch, Elasticsearch and the embedded engine) runs on each size right after it is
loaded; ``--scenario query-cost`` runs it alone, ``--engines`` picks the engines (by default
those of ``--profile``).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TypeVar

from bench import catalogs, query_cost_run, query_sets, report
from bench.backends import Backends
from bench.plan import Inputs, Plan
from bench.profiles import Profile, embedded, production
from bench.queries import distinct_searches, engine_body, write_lines
from bench.query_cost_run import Costs, SearchServers
from bench.results import MemoryReading, Result
from bench.rounds import ROUNDS
from bench.scenarios import WARM_UP_SECONDS, SizeRun
from bench.servers import BOTH_CPUS, ROOT

WORK = ROOT / "bench" / ".work"
T = TypeVar("T")
DISTINCT_SEARCHES = 60_000
IMPORT_ROWS = 2_000
COST_SEARCHES = 300  # per slice of the query-cost scenario (100 with --quick)
PROFILE_ENGINES = {"embedded": "embedded", "production": "opensearch,elasticsearch"}
NOTES = (
    "Throughput ratios are the service's rate over the reference's; the latency ratio is "
    "the service's median over the engine's own median for the same queries, one at a time.",
    "Uncached searches are distinct queries (never asked before in the run) with the cache "
    "left on, so a miss pays its lookup and fill; the engine is sent the same query bodies "
    "after the API, so any warmth favours the engine.",
    "Bulk import: a timed `filmflare import` of new rows (API stopped). Engine raw bulk: the "
    "adapter's own bulk lines, in its batch size of 500, one batch at a time, no refresh "
    "wait, into a scratch index. Store raw put: BatchWriteItem to moto / executemany into "
    "SQLite. On production the store is moto, whose rate bounds the import.",
    "Production catalogs beyond the demo are loaded into the search index only (moto cannot "
    "hold them); store reads and writes run on the demo catalog plus the imported rows.",
    "Writes under reads (embedded): 20 connections write 50 times a second while 50 read; a "
    "write is timed from when it was due, and is visible once a search shows it. The "
    "targets are the p99s themselves; the ratio is the p99 over the same writes' with no "
    "reads.",
)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("embedded", "production", "all"), default="all")
    parser.add_argument("--sizes", default="demo,100k,1m", help="comma list of demo,100k,1m")
    parser.add_argument(
        "--scenario",
        choices=("all", "services", "query-cost"),
        default="all",
        help="services: the API's scenarios alone; query-cost: the engines' query cost alone",
    )
    parser.add_argument(
        "--engines",
        default="",
        help="query cost: comma list of opensearch,elasticsearch,embedded (default: those of "
        "--profile)",
    )
    parser.add_argument("--queries", type=int, default=0, help="query cost: searches per slice")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--log-level", default="info", help="the API's FILMFLARE_LOG_LEVEL")
    parser.add_argument("--quick", action="store_true", help="demo only, 3 s runs: a smoke test")
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's data and logs in bench/.work"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seconds = "demo", 3.0
    args.queries = args.queries or (COST_SEARCHES // 3 if args.quick else COST_SEARCHES)
    profiles = list(PROFILE_ENGINES) if args.profile == "all" else [args.profile]
    default_engines = ",".join(PROFILE_ENGINES[p] for p in profiles)
    try:
        args.engines = query_cost_run.parse_engines(args.engines or default_engines)
    except ValueError as error:
        parser.error(str(error))
    args.profiles = profiles if args.scenario != "query-cost" else []
    if args.scenario == "services":
        args.engines = []
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = set(sizes) - set(catalogs.SIZES)
    if unknown:
        parser.error(f"unknown sizes {sorted(unknown)}: use {', '.join(catalogs.SIZES)}")
    args.sizes = sorted(set(sizes), key=catalogs.catalog_size)
    return args


class Clock:
    """How long each phase took, printed as it goes."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.phases: dict[str, float] = {}

    def phase(self, name: str, work: Callable[[], T]) -> T:
        print(f"[{(time.monotonic() - self.began) / 60:5.1f} min] {name}", flush=True)
        started = time.monotonic()
        done = work()
        self.phases[name] = time.monotonic() - started
        return done


def in_parallel(*works: Callable[[], object]) -> None:
    """Run ``works`` on threads (each waits on a subprocess) and re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as error:  # reported once every thread is done
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def slices(profile: Profile, start: int, stop: int) -> list[tuple[str, int, int]]:
    """How ``profile``'s catalog grows from ``start`` to ``stop`` rows: (how, first, end),
    ``import`` through the service or ``engine-load`` into the index alone."""
    if profile.name == "embedded":
        return [("import", start, stop)]
    demo = catalogs.catalog_size("demo")
    steps = [("import", start, min(stop, demo))] if start < demo else []
    if stop > demo:
        steps.append(("engine-load", max(start, demo), stop))
    return steps


def grow(profiles: Sequence[Profile], start: int, stop: int) -> None:
    """Write the rows every profile needs, then load them into each profile at once."""
    directory = WORK / "catalogs"
    plans = {p.name: slices(p, start, stop) for p in profiles}
    for _how, first, end in dict.fromkeys(step for steps in plans.values() for step in steps):
        catalogs.slice_file(directory, first, end)

    def load(profile: Profile) -> None:
        for how, first, end in plans[profile.name]:
            profile.probe(how, str(catalogs.slice_file(directory, first, end)), cpu=None)

    in_parallel(*(functools.partial(load, p) for p in profiles))


def prepare_inputs(with_engine: bool, rows: int, cost_searches: int) -> Inputs:
    inputs = WORK / "inputs"
    searches = distinct_searches(DISTINCT_SEARCHES)
    bodies = inputs / "bodies.ndjson"
    if with_engine:
        write_lines(bodies, (engine_body(t) for t in searches))
    # Rows past every catalog, a slice of its own per size: each size's import is a first
    # one into the catalog that grew before it, which the same file would not be.
    first = catalogs.SIZES["1m"]
    sets = inputs / "query-sets.json"
    directory = WORK / "catalogs"
    return Inputs(
        searches=write_lines(inputs / "searches.txt", searches),
        bodies=bodies,
        import_rows={
            size: catalogs.keyed_file(directory, first + n * rows, first + (n + 1) * rows)
            for n, size in enumerate(catalogs.SIZES)
        },
        query_sets=query_sets.write(sets, cost_searches) if cost_searches else None,
    )


def setup(
    starts: Sequence[Callable[[], object]], with_engine: bool, rows: int, cost_searches: int
) -> Inputs:
    """Start the servers (in parallel) while the query files are written."""
    written: list[Inputs] = []
    in_parallel(lambda: written.append(prepare_inputs(with_engine, rows, cost_searches)), *starts)
    return written[0]


def distinct(profiles: Sequence[Profile]) -> list[Profile]:
    """``profiles`` without repeats (an engine of the query cost may search a measured
    profile's index), in order."""
    return list({id(p): p for p in profiles}.values())


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_id = stamp.replace("-", "")
    names: list[str] = args.profiles
    clock, backends, servers = Clock(), Backends(), SearchServers()
    results: list[Result] = []
    memory: list[MemoryReading] = []
    failures: list[str] = []
    plan = Plan(args.seconds, args.connections, ids=20_000)
    signal.signal(signal.SIGTERM, _stop)

    def pin_servers(cpus: str) -> None:
        backends.pin(cpus)
        servers.pin(cpus)

    costs = Costs([], pin_servers)
    try:
        rows = 500 if args.quick else IMPORT_ROWS
        starts: list[Callable[[], object]] = [backends.start] if "production" in names else []
        needed = query_cost_run.servers_needed(args.engines, "production" in names)
        starts += [functools.partial(servers.start, engine) for engine in needed]
        cost_searches = args.queries if args.engines else 0
        inputs = clock.phase(
            "start the servers, write the queries",
            functools.partial(setup, starts, "production" in names, rows, cost_searches),
        )
        measured = {
            name: embedded(WORK / run_id, args.log_level)
            if name == "embedded"
            else production(WORK / run_id, backends, run_id, args.log_level)
            for name in names
        }
        costs.engines = query_cost_run.engines(
            args.engines, measured, servers, WORK / run_id, run_id, args.log_level
        )
        loaded = distinct([*measured.values(), *(e.profile for e in costs.engines)])
        start = 0
        for size in args.sizes:
            stop = catalogs.catalog_size(size)
            if stop > start:
                pin_servers(BOTH_CPUS)  # loading may use both cores; serving may not
                clock.phase(f"load {size}", functools.partial(grow, loaded, start, stop))
            if costs.engines:
                costs.measure(clock.phase, size, inputs.query_sets)
            for profile in measured.values():
                sized = SizeRun(profile, size, plan, inputs, pin_servers)
                clock.phase(f"measure {profile.name} {size}", sized.run)
                results += sized.results
                memory += [sized.memory] if sized.memory else []
                failures += sized.failures
            start = stop
    finally:
        servers.stop()
        backends.stop()
        if not (args.keep or failures or costs.failures):  # a failed run keeps its logs
            shutil.rmtree(WORK / run_id, ignore_errors=True)
    failures += costs.failures
    clock.phases["total"] = time.monotonic() - clock.began
    settings = {
        "profiles": names,
        "sizes": args.sizes,
        "scenario": args.scenario,
        "engines": args.engines,
        "queries": args.queries,
        "seconds": args.seconds,
        "warm_up": WARM_UP_SECONDS,
        "connections": args.connections,
        "log_level": args.log_level,
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "import_rows": rows,
        "rounds": ROUNDS,
    }
    notes = [*(NOTES if names else ()), *(query_cost_run.NOTES if args.engines else ())]
    notes += [f"Failed: {failure}" for failure in failures]
    run = report.Run(
        stamp, settings, results, memory, clock.phases, notes, costs.results, costs.runs
    )
    complete = (
        len(names) == 2
        and args.engines == list(query_cost_run.ENGINES)
        and args.sizes == list(catalogs.SIZES)
        and not args.quick
    )
    written = report.write(run, latest=complete)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    print(written[1].read_text(encoding="utf-8"))
    return 1 if failures else 0


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through main's finally: the servers stop


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
