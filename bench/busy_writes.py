"""Writes under read load: how long a write takes, and how soon search shows it, while 50
connections read, beside the same writes with no reads at all.

The readers are wrk (``lua/reads.lua``): four requests in five from the hot targets of the
cached runs (front-page searches, title prefixes, popular movies), the fifth a search never
asked before or a movie the writers are editing (uncached either way). The writers are
``bench.writers``: 20 connections writing 50 times a second in all, four merge patches for
every new movie, each write timed from when it was due; a write is visible once a search
shows it (see ``writers``). Both run on the load generator's core. The targets are the
issue's, for one worker: write p99 ≤ 300 ms, visibility p99 ≤ 1 s (API.md promises 1 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Load, wrk
from bench.plan import Lists
from bench.queries import write_lines
from bench.results import Measure
from bench.rounds import combined
from bench.servers import BIN, CLIENT_CPU, ROOT, pinned
from bench.writers import GRACE

READERS = 50
WRITERS = 20
WRITE_RATE = 50.0  # writes a second, every writer together
COLD_EVERY = 5  # one request in five is uncached
WRITE_P99_MS = 300.0
VISIBLE_P99_MS = 1000.0
ROUNDS = 2
READERS_AHEAD = 1.0  # seconds wrk runs before the writers start, and after they stop


@dataclass
class Writes:
    """What the writers measured over one or more runs: every write's latency and visibility
    (ms), the writes search never showed, and errors by kind."""

    seconds: float = 0.0
    write_ms: list[float] = field(default_factory=list)
    visible_ms: list[float] = field(default_factory=list)
    unseen: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, data: dict[str, Any]) -> None:
        self.seconds += data["seconds"]
        self.write_ms += data["write_ms"]
        self.visible_ms += data["visible_ms"]
        self.unseen += data["unseen"]
        for kind, count in data["errors"].items():
            self.errors[kind] = self.errors.get(kind, 0) + count

    @property
    def rate(self) -> float:
        return len(self.write_ms) / self.seconds if self.seconds else 0.0

    def latency(self, name: str) -> Measure:
        return _measure(name, self.rate, self.write_ms, self.errors)

    def visibility(self, name: str) -> Measure:
        # A write never seen counts as seen at the end of the grace: never better than it was.
        seen = self.visible_ms + [GRACE * 1000] * self.unseen
        return _measure(name, self.rate, seen, {"unseen": self.unseen} if self.unseen else {})


def _measure(name: str, rate: float, samples: list[float], errors: dict[str, int]) -> Measure:
    detail: dict[str, Any] = {
        "samples": len(samples),
        "ms": {k: percentile(samples, s) for k, s in (("p90", 0.9), ("max", 1.0))},
    }
    if errors:
        detail["errors"] = errors
    return Measure(
        name, rate, "writes/s", percentile(samples, 0.5), percentile(samples, 0.99), detail
    )


def percentile(samples: list[float], share: float) -> float | None:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else None


def write(url: str, token: str, ids: Path, seconds: float) -> dict[str, Any]:
    """``bench.writers`` for ``seconds`` against ``url``, on the load generator's core."""
    command = [*pinned(CLIENT_CPU), str(BIN / "python"), "-m", "bench.writers", url, token]
    command += [str(ids), str(seconds), str(WRITERS), str(WRITE_RATE)]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = os.environ | {"PYTHONPATH": path}
    done = subprocess.run(  # noqa: S603 - this harness's own load generator
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.writers failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def targets(lists: Lists, searches: Path, directory: Path) -> tuple[Path, Path]:
    """The readers' hot list (every cached run's targets) and cold list: searches from the
    end of the distinct ones (the uncached runs start at the other end), each followed by
    a movie the writers edit."""
    edited = [f"/movies/{i}" for i in lists.writes.read_text(encoding="utf-8").split()]
    fresh = searches.read_text(encoding="utf-8").split()[::-1]
    cold = [t for n, search in enumerate(fresh) for t in (search, edited[n % len(edited)])]
    return (
        write_lines(directory / "busy-hot.txt", lists.hot()),
        write_lines(directory / "busy-cold.txt", cold),
    )


def measure(
    url: str, token: str, lists: Lists, searches: Path, seconds: float
) -> tuple[Writes, Writes, Load]:
    """The writes alone, then beside the readers, in alternating rounds of ``seconds``
    each: what the writers saw on either side, and the readers' load."""
    hot, cold = targets(lists, searches, lists.writes.parent)
    quiet, busy = Writes(), Writes()
    reads: list[Load] = []
    for round_ in range(ROUNDS):
        quiet.add(write(url, token, lists.writes, seconds))
        with ThreadPoolExecutor(1) as pool:
            start = str(round_ * 50_000)  # each round reads on past what the last one asked
            readers = pool.submit(
                wrk,
                url,
                "reads",
                [str(hot), str(cold), str(COLD_EVERY), start],
                READERS,
                seconds + 2 * READERS_AHEAD,
            )
            time.sleep(READERS_AHEAD)
            busy.add(write(url, token, lists.writes, seconds))
            reads.append(readers.result())
    return quiet, busy, combined(reads)
