"""The query-cost scenario from the run's side: the engines, their servers, their results.

Each engine is measured on the index of a profile, loaded like every profile's catalog (the
demo through ``filmflare import``, bigger catalogs as the adapter's own documents: see
``run.slices``), so all hold the same movies:

- embedded: the embedded profile's index (the profile is loaded even when not measured);
- opensearch: the production profile's index when that profile is measured in the run, else
  the ``opensearch`` profile's (SQLite beside OpenSearch) on ``bench-opensearch``;
- elasticsearch: the ``elasticsearch`` profile's, on ``bench-elasticsearch``.

While an engine is measured it has ``SERVER_CPU`` to itself: the probe that asks it, the
other engines and the backends are on ``CLIENT_CPU``. The embedded engine runs in the probe,
on ``SERVER_CPU``. Sizes are measured right after loading, before any scenario adds movies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backends import ENGINE_NAME, INFRA, SCRIPTS, read_pid, script
from bench.profiles import Profile, embedded, search_engine
from bench.query_cost import ROUNDS
from bench.query_sets import SLICES
from bench.results import CostResult, CostRun, QueryCost
from bench.servers import CLIENT_CPU, SERVER_CPU, pin

ENGINES = ("opensearch", "elasticsearch", "embedded")
SERVER_NAMES = {"opensearch": ENGINE_NAME, "elasticsearch": "bench-elasticsearch"}
CPU_TARGET = 2.0  # FilmFlare's CPU per search, × multi_match AUTO's, at most
P99_TARGET = 3.0  # FilmFlare's p99, × multi_match AUTO's, at most, on:
P99_SLICE = "long-word"
Phase = Callable[[str, Callable[[], Any]], Any]  # run.Clock.phase: name, work -> its result
WARM_UP_SECONDS = 30.0  # per engine and size, before measuring
PROBE_SECONDS = 3600  # one engine at one size; a search that never ends must not hold the run
NOTES = (
    f"Query cost: each search of a slice asked once per variant, one at a time, in {ROUNDS} "
    "rounds turning the variants' order, right after the catalog is loaded, after a "
    f"{WARM_UP_SECONDS:g} s warm-up of every variant on other searches (a JVM's compiler "
    "counts as its CPU). CPU is the engine process's (`/proc/<pid>/stat`; the embedded "
    "engine's: the probe's own process) over the searches. FilmFlare's side sends size, "
    "sort and facets as the API does; the references only the text, the same size and "
    "_source.",
)


def parse_engines(text: str) -> list[str]:
    """A comma list of ``ENGINES``, in their order; ``ValueError`` names an unknown one."""
    wanted = {e.strip().lower() for e in text.split(",") if e.strip()}
    unknown = wanted - set(ENGINES)
    if unknown:
        raise ValueError(f"unknown engines {sorted(unknown)}: use {', '.join(ENGINES)}")
    return [e for e in ENGINES if e in wanted]


def servers_needed(names: Sequence[str], production: bool) -> list[str]:
    """The engines of ``names`` whose server the scenario starts itself (OpenSearch only
    when the production profile, which starts one, is not measured)."""
    return [n for n in names if n == "elasticsearch" or (n == "opensearch" and not production)]


@dataclass
class SearchServers:
    """The engine servers this scenario starts itself, through ``scripts/search-engine.sh``."""

    started: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    def start(self, engine: str) -> None:
        """Install (once) and start ``engine``'s bench instance."""
        tool = str(SCRIPTS / "search-engine.sh")
        script(tool, "install", engine)
        script(tool, "start", engine, SERVER_NAMES[engine])
        self.started.append(engine)
        self.urls[engine] = (INFRA / f"{SERVER_NAMES[engine]}.url").read_text().strip()

    def pin(self, cpu: str) -> None:
        for engine in self.started:
            pid = read_pid(INFRA / f"{SERVER_NAMES[engine]}.pid")
            if pid is not None:
                pin(pid, cpu)

    def stop(self) -> None:
        """Stop what ``start`` started, last first; keep going when one fails."""
        while self.started:
            engine = self.started.pop()
            try:
                script(str(SCRIPTS / "search-engine.sh"), "stop", engine, SERVER_NAMES[engine])
            except RuntimeError as error:
                print(f"bench: {error}")


@dataclass(frozen=True, slots=True)
class CostEngine:
    """An engine of the scenario and the profile whose index it searches."""

    name: str
    profile: Profile

    def pid(self) -> int | None:
        """The engine's process; None for the embedded engine, which runs in the probe."""
        if self.name == "embedded":
            return None
        pid = read_pid(INFRA / f"{SERVER_NAMES[self.name]}.pid")
        if pid is None:
            raise RuntimeError(f"{self.name} is not running: no pid in {INFRA}")
        return pid


def engines(
    names: Sequence[str],
    measured: dict[str, Profile],
    servers: SearchServers,
    workdir: Path,
    run_id: str,
    log_level: str,
) -> list[CostEngine]:
    """The scenario's engines, once ``servers`` has started those in ``servers_needed``."""
    found = []
    for name in names:
        if name == "embedded":
            profile = measured.get("embedded") or embedded(workdir, log_level)
        elif name in servers.urls:
            profile = search_engine(name, workdir, servers.urls[name], run_id, log_level)
        else:
            profile = measured["production"]  # its OpenSearch, see ``servers_needed``
        found.append(CostEngine(name, profile))
    return found


def measure(
    engine: CostEngine, size: str, sets: Path, pin_others: Callable[[str], None]
) -> tuple[list[CostResult], CostRun]:
    """The probe's answer for ``engine`` at ``size``, as results."""
    pin_others(CLIENT_CPU)
    pid = engine.pid()
    args = ["query-cost", str(sets), str(ROUNDS), str(WARM_UP_SECONDS)]
    if pid is None:
        answer = engine.profile.probe(*args, cpu=SERVER_CPU, timeout=PROBE_SECONDS)
    else:
        pin(pid, SERVER_CPU)
        answer = engine.profile.probe(*args, str(pid), cpu=CLIENT_CPU, timeout=PROBE_SECONDS)
    results = []
    for name in SLICES:
        variants = {v: QueryCost.of_json(data) for v, data in answer["slices"][name].items()}
        p99 = P99_TARGET if name == P99_SLICE else None
        results.append(CostResult(engine.name, size, name, variants, CPU_TARGET, p99))
    return results, CostRun.of_json(engine.name, size, answer)


class Costs:
    """The scenario's engines and what it found, size by size; an engine that fails is
    reported in ``failures`` and the run goes on."""

    def __init__(self, engines: Sequence[CostEngine], pin_others: Callable[[str], None]) -> None:
        self.engines = engines
        self.pin_others = pin_others
        self.results: list[CostResult] = []
        self.runs: list[CostRun] = []
        self.failures: list[str] = []

    def measure(self, phase: Phase, size: str, sets: Path | None) -> None:
        """Every engine at ``size``, each as a ``phase`` of the run (timed, announced)."""
        assert sets is not None, "the query sets are written when the scenario runs"
        for engine in self.engines:
            try:
                found, run = phase(
                    f"query cost {engine.name} {size}",
                    functools.partial(measure, engine, size, sets, self.pin_others),
                )
            except Exception as error:  # one engine's failure must not lose the whole run
                self.failures.append(f"query cost {engine.name} {size}: {str(error)[-600:]}")
                print(f"bench: {self.failures[-1]}", flush=True)
                continue
            self.results += found
            self.runs.append(run)
