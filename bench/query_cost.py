"""What a search costs the engine: FilmFlare's query beside two plain ones, on the same text.

Three variants per search, sent to the same engine:

- ``FilmFlare``: what the search adapter sends for the API target (its public functions
  build it, so this measures whatever the adapter does at the time);
- ``match``: a plain ``match`` of the text on the title, what a typical service sends;
- ``multi_match AUTO``: a ``multi_match`` of the text over the same text fields with
  ``fuzziness: AUTO`` (0 edits up to 2 characters, 1 up to 5, 2 beyond).

First a warm-up: the warm-up searches (of every slice's kind, none of them measured) in
every variant, again and again for ``warm_up`` seconds, so a JVM has compiled its hot paths
(its compiler's threads count as the engine's CPU time: unwarmed, the first thousands of
searches cost two to three times as much). Then the idle CPU rate, for the record.

Each search of a slice is then asked once per variant. A slice is cut into ``ROUNDS``
chunks; each chunk goes through every variant in turn, the order turning with each round,
so the machine's drift and the warmth one variant leaves for the next weigh on all alike.
The engine's CPU time is read before and after each variant's chunk
(``Runner.cpu_seconds``). A second counter (``Runner.check_seconds``) is read around all
the slices together: an engine's own counter may be refreshed only once a second, too
seldom for a chunk.

Run inside ``bench.probe query-cost`` (``query_cost_http`` for OpenSearch and
Elasticsearch, ``query_cost_tantivy`` for the embedded engine); the answer is JSON.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from bench.load import from_samples
from bench.query_sets import SLICES, WARM_UP, Case

FILMFLARE = "FilmFlare"
MATCH = "match"
MULTI_MATCH = "multi_match AUTO"
VARIANTS = (FILMFLARE, MATCH, MULTI_MATCH)
ROUNDS = 5
IDLE_SECONDS = 2.0
TOP = 3  # the relevance probe: is the film among the first three hits?
Found = tuple[str, int | None]  # a hit's title and year
R = TypeVar("R")


class QueryFailed(RuntimeError):
    """The engine refused a query."""


@dataclass(frozen=True, slots=True)
class Answer:
    seconds: float  # the engine's part, timed by the runner
    total: int  # matching movies (an engine may stop counting past 10 000)
    found: Sequence[Found] = ()  # the hits, read only when asked


class Runner(Protocol[R]):
    """One engine: what to ask it for a search, how to ask, and its CPU time so far."""

    def prepare(self, api_target: str) -> Mapping[str, R]:
        """The request of each variant for ``api_target``."""
        ...

    def ask(self, request: R, read: bool = False) -> Answer:
        """Ask once; with ``read``, the hits too. ``QueryFailed`` when refused."""
        ...

    def cpu_seconds(self) -> float: ...

    def check_seconds(self) -> float | None:
        """A second count of the same CPU time, by other means (None when there is none)."""
        ...


@dataclass
class Tally:
    """One variant's searches of one slice."""

    samples_us: list[float] = field(default_factory=list)
    cpu: float = 0.0
    wall: float = 0.0
    empty: int = 0
    errors: int = 0
    first_error: str = ""

    def run(self, runner: Runner[R], requests: Sequence[R]) -> None:
        began, cpu_before = time.perf_counter(), runner.cpu_seconds()
        for request in requests:
            try:
                answer = runner.ask(request)
            except QueryFailed as error:
                self.errors += 1
                self.first_error = self.first_error or str(error)[:300]
                continue
            self.samples_us.append(answer.seconds * 1e6)
            self.empty += answer.total == 0
        self.cpu += runner.cpu_seconds() - cpu_before
        self.wall += time.perf_counter() - began

    def as_json(self) -> dict[str, Any]:
        count = len(self.samples_us) + self.errors
        latency = from_samples(self.samples_us, self.wall).latency_us
        per = 1000 / count if count else 0.0
        return {
            "searches": count,
            "errors": self.errors,
            "first_error": self.first_error,
            "empty": self.empty,
            "cpu_ms": round(self.cpu * per, 4),
            "p50_ms": round(latency["p50"] / 1000, 3),
            "p99_ms": round(latency["p99"] / 1000, 3),
            "mean_ms": round(latency["mean"] / 1000, 3),
            "seconds": round(self.wall, 3),
        }


def measure_slice(runner: Runner[R], targets: Sequence[str], rounds: int) -> dict[str, Any]:
    """Every variant of every search in ``targets``, once, in ``rounds`` alternating rounds."""
    prepared = [runner.prepare(t) for t in targets]
    tallies = {v: Tally() for v in VARIANTS}
    for n in range(rounds):
        chunk = prepared[n * len(prepared) // rounds : (n + 1) * len(prepared) // rounds]
        order = VARIANTS[n % len(VARIANTS) :] + VARIANTS[: n % len(VARIANTS)]
        for variant in order:
            tallies[variant].run(runner, [requests[variant] for requests in chunk])
    return {v: tally.as_json() for v, tally in tallies.items()}


def relevance(runner: Runner[R], cases: Sequence[Case]) -> dict[str, Any]:
    """How often each variant has the mistyped film among its first ``TOP`` hits."""
    found = dict.fromkeys(VARIANTS, 0)
    for case in cases:
        requests = runner.prepare(case.target)
        for variant in VARIANTS:
            try:
                hits = runner.ask(requests[variant], read=True).found[:TOP]
            except QueryFailed:
                continue
            found[variant] += (case.title, case.year) in hits
    return {"cases": len(cases), "top": TOP, "found": found}


def warm_up(runner: Runner[R], targets: Sequence[str], seconds: float) -> int:
    """Ask every variant of ``targets`` round and round for ``seconds`` (one pass at least);
    how many searches that was."""
    requests = [r for t in targets for r in runner.prepare(t).values()]
    asked, deadline = 0, time.monotonic() + seconds
    while requests and (asked < len(requests) or time.monotonic() < deadline):
        with contextlib.suppress(QueryFailed):  # counted when measured
            runner.ask(requests[asked % len(requests)])
        asked += 1
    return asked


def idle_cpu(runner: Runner[R]) -> float:
    """The engine's CPU time when asked nothing, in ms per second."""
    before = runner.cpu_seconds()
    time.sleep(IDLE_SECONDS)
    return round((runner.cpu_seconds() - before) * 1000 / IDLE_SECONDS, 2)


def measure(
    runner: Runner[R],
    sets: Mapping[str, Sequence[str]],
    cases: Sequence[Case],
    rounds: int,
    warm_up_seconds: float,
) -> dict[str, Any]:
    """The probe's answer: the warm-up, the idle CPU, each slice, the CPU time over all the
    slices by both counters, the relevance probe."""
    warmed = warm_up(runner, sets[WARM_UP], warm_up_seconds)
    idle = idle_cpu(runner)
    check, cpu = runner.check_seconds(), runner.cpu_seconds()
    slices = {name: measure_slice(runner, sets[name], rounds) for name in SLICES}
    cpu, check_after = runner.cpu_seconds() - cpu, runner.check_seconds()
    return {
        "warm_up_searches": warmed,
        "idle_cpu_ms_per_s": idle,
        "slices": slices,
        "cpu_seconds": round(cpu, 3),
        "check_seconds": None
        if check is None or check_after is None
        else round(check_after - check, 3),
        "relevance": relevance(runner, cases),
    }
