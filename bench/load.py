"""The load generator: wrk, from its own process on its own core, with the Lua scripts in
``bench/lua``. Each run prints one JSON line (``common.lua``), read back as a ``Load``.

wrk is closed-loop: each of its connections sends the next request when the previous answer
arrives, so a run holds a fixed concurrency and measures both throughput and latency.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.servers import CLIENT_CPU, pinned

LUA = Path(__file__).resolve().parent / "lua"
_MARK = "BENCH_JSON "


class LoadFailed(RuntimeError):
    """wrk did not run, or reported nothing."""


@dataclass(frozen=True, slots=True)
class Load:
    """One wrk run: completed requests, errors by kind, latency percentiles (µs)."""

    requests: int
    seconds: float
    connections: int
    latency_us: dict[str, float]
    errors: dict[str, int] = field(default_factory=dict)
    # ``once`` runs stop before the duration ends: their rate comes from the latencies
    # (Little's law: connections / mean latency), not from the duration wrk waited out.
    stopped_early: bool = False

    @property
    def rate(self) -> float:
        """Requests per second."""
        if self.stopped_early:
            mean = self.latency_us["mean"] / 1e6
            return self.connections / mean if mean > 0 else 0.0
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def as_json(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "connections": self.connections,
            "rate": round(self.rate, 1),
            "latency_ms": {k: round(v / 1000, 3) for k, v in self.latency_us.items()},
            "errors": self.errors,
        }


def parse(output: str, connections: int) -> Load:
    """The ``Load`` in wrk's output (the line ``common.lua`` prints)."""
    for line in output.splitlines():
        if line.startswith(_MARK):
            data = json.loads(line[len(_MARK) :])
            return Load(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                connections=connections,
                latency_us={k: float(v) for k, v in data["latency_us"].items()},
                errors={k: int(v) for k, v in data["errors"].items() if v},
            )
    raise LoadFailed(f"wrk printed no result:\n{output[-2000:]}")


def wrk(
    url: str,
    script: str,
    args: list[str],
    connections: int,
    seconds: float,
) -> Load:
    """Run ``bench/lua/<script>.lua`` against ``url`` with one wrk thread."""
    command = [
        *pinned(CLIENT_CPU),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / f"{script}.lua"),
        url,
        "--",
        *args,
    ]
    env = os.environ | {"BENCH_LUA_DIR": str(LUA)}
    done = subprocess.run(  # noqa: S603 - wrk with this harness's own arguments
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise LoadFailed(f"wrk failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return parse(done.stdout, connections)


def from_samples(samples_us: list[float], seconds: float) -> Load:
    """A ``Load`` from latencies timed in-process, one call at a time."""
    ordered = sorted(samples_us)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    latency = {
        "mean": sum(ordered) / len(ordered) if ordered else 0.0,
        "p50": percentile(0.50),
        "p90": percentile(0.90),
        "p99": percentile(0.99),
        "max": ordered[-1] if ordered else 0.0,
    }
    return Load(len(ordered), seconds, 1, latency)


def from_json(data: dict[str, Any]) -> Load:
    """The ``Load`` that ``Load.as_json`` wrote (a probe's answer)."""
    return Load(
        requests=int(data["requests"]),
        seconds=float(data["seconds"]),
        connections=int(data["connections"]),
        latency_us={k: float(v) * 1000 for k, v in data["latency_ms"].items()},
        errors={k: int(v) for k, v in data.get("errors", {}).items()},
    )
