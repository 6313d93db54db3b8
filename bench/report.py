"""The run's results as JSON and as a Markdown table, under ``bench/results/``.

``<stamp>.json`` holds everything measured (every wrk summary and probe answer);
``<stamp>.md`` the tables (the query cost's from ``query_cost_report``); ``latest.md`` the
same tables for the README, from a complete run only (both profiles, every engine, every
size). Smoke runs (``--quick``) are ``quick-<stamp>.*``.
``python -m bench.report RESULTS.json`` prints the tables of a results file again.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bench import query_cost_report
from bench.catalogs import SIZES
from bench.results import CostResult, CostRun, Measure, MemoryReading, Result

RESULTS = Path(__file__).resolve().parent / "results"


class _Row(Protocol):
    @property
    def profile(self) -> str: ...

    @property
    def size(self) -> str: ...


T = TypeVar("T", bound=_Row)


@dataclass(frozen=True, slots=True)
class Run:
    stamp: str
    settings: dict[str, Any]  # how the run was made: profiles, sizes, seconds, connections
    results: Sequence[Result]
    memory: Sequence[MemoryReading]
    timings: dict[str, float]  # seconds per phase
    notes: Sequence[str]
    costs: Sequence[CostResult] = ()  # the query-cost scenario, by slice
    cost_runs: Sequence[CostRun] = ()  # and by engine and size


def _rate(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def ratio_text(ratio: float, target: float | None) -> str:
    """Two decimals, or three where two would round a miss onto the target."""
    close = target is not None and abs(ratio - target) < 0.005
    return f"{ratio:.3f}×" if close else f"{ratio:.2f}×"


def ordered(rows: Sequence[T]) -> list[T]:
    """Grouped by profile (embedded first), each profile's sizes smallest first."""
    sizes = list(SIZES)
    return sorted(rows, key=lambda r: (r.profile != "embedded", sizes.index(r.size)))


def _p99_verdict(result: Result) -> str:
    """The p99 over the reference's, and the p99 itself against its target in ms."""
    p99, ratio = result.service.p99_ms, result.ratio
    text = "" if ratio is None else f"{ratio_text(ratio, None)} (p99)"
    if p99 is not None and result.target is not None:
        mark = "✅" if result.met else "❌"
        text += f" {mark} p99 {p99:.0f} ms (target ≤ {result.target:.0f} ms)"
    return text.strip()


def _verdict(result: Result) -> str:
    if result.compare == "p99":
        return _p99_verdict(result)
    ratio = result.ratio
    if ratio is None:
        return ""
    text = ratio_text(ratio, result.target)
    if result.target is not None:
        sign = "≤" if result.compare == "latency" else "≥"
        mark = "✅" if result.met else "❌"
        text += f" {mark} (target {sign} {result.target})"
    return text


def results_table(results: Sequence[Result]) -> list[str]:
    lines = [
        "| profile | catalog | scenario | c | throughput | p50 ms | p99 ms | reference | "
        "ref. throughput | ref. p50 ms | ratio | notes |",
        "|---|---|---|--:|--:|--:|--:|---|--:|--:|---|---|",
    ]
    for r in ordered(results):
        ref = r.reference
        lines.append(
            "| "
            + " | ".join(
                [
                    r.profile,
                    r.size,
                    r.scenario,
                    "" if r.connections is None else str(r.connections),
                    _rate(r.service.rate, r.service.unit),
                    _ms(r.service.p50_ms),
                    _ms(r.service.p99_ms),
                    "" if ref is None else ref.name,
                    "" if ref is None else _rate(ref.rate, ref.unit),
                    "" if ref is None else _ms(ref.p50_ms),
                    _verdict(r) + (" (p50)" if r.compare == "latency" and r.ratio else ""),
                    r.notes.replace("|", "/"),
                ]
            )
            + " |"
        )
    return lines


TARGETS = (  # (row title, scenario prefix)
    ("cached `GET /movies?…` ≥ 0.8× bare ASGI", "GET /movies?… cached"),
    ("cached `GET /movies/{id}` ≥ 0.8× bare ASGI", "GET /movies/{id} cached"),
    ("uncached search p50 ≤ 1.3× engine's own", "GET /movies?… uncached, latency"),
    ("import ≥ 0.7× engine raw bulk", "bulk import"),
    ("same file again ≥ 3× the first import", "re-import"),
    ("write p99 ≤ 300 ms, 50 connections reading", "writes under reads"),
    ("search visibility p99 ≤ 1 s, 50 connections reading", "search visibility under reads"),
)


def _summary_cell(result: Result | None) -> str:
    """The ratio (the p99 in ms for a p99 target) and whether the target is met."""
    if result is None:
        return ""
    mark = "" if result.met is None else (" ✅" if result.met else " ❌")
    if result.compare == "p99":
        p99 = result.service.p99_ms
        return "" if p99 is None else f"{p99:.0f} ms{mark}"
    ratio = result.ratio
    return "" if ratio is None else f"{ratio_text(ratio, result.target)}{mark}"


def summary_table(results: Sequence[Result], readings: Sequence[MemoryReading]) -> list[str]:
    """One row per target, one column per profile and size: the ratio (or p99) and whether
    it is met."""
    columns = list(dict.fromkeys((r.profile, r.size) for r in ordered(results)))
    lines = [
        "| target | " + " | ".join(f"{p} {s}" for p, s in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for title, scenario in TARGETS:
        cells = []
        for profile, size in columns:
            found = [
                r
                for r in results
                if (r.profile, r.size) == (profile, size) and r.scenario.startswith(scenario)
            ]
            cells.append(_summary_cell(found[0] if found else None))
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    memory = {(m.profile, m.size): m for m in readings}
    cells = []
    for key in columns:
        m = memory.get(key)
        mark = "" if m is None or m.met is None else (" ✅" if m.met else " ❌")
        cells.append("" if m is None else f"{m.peak_mib:.0f} MiB{mark}")
    lines.append("| API worker peak RSS (≤ 150 MiB: production, 1M) | " + " | ".join(cells) + " |")
    return lines


def memory_table(readings: Sequence[MemoryReading]) -> list[str]:
    lines = [
        "| profile | catalog | movies searchable | RSS MiB | peak RSS MiB | target |",
        "|---|---|--:|--:|--:|---|",
    ]
    for m in ordered(readings):
        target = ""
        if m.target_mib is not None:
            target = f"{'✅' if m.met else '❌'} ≤ {m.target_mib:.0f} MiB"
        lines.append(
            f"| {m.profile} | {m.size} | {m.movies:,} | {m.rss_mib:.0f} | {m.peak_mib:.0f} "
            f"| {target} |"
        )
    return lines


def _header(run: Run) -> list[str]:
    s = run.settings
    machine = f"Run {run.stamp}: {platform.machine()}, {s['cpus']} CPUs, Python "
    machine += f"{platform.python_version()}; "
    total = f"Total time {run.timings.get('total', 0) / 60:.1f} min."
    if not run.results:
        engines = ", ".join(s.get("engines", []))
        cost = f"the query cost alone ({engines}), {s.get('queries', 0)} searches per slice"
        where = "each engine on CPU 0 (the embedded one inside the probe), the probe asking a "
        where += "server on CPU 1"
        return [f"{machine}{cost}, {where}. {total}"]
    return [
        f"{machine}one API worker (log level {s['log_level']}) pinned to CPU 0, wrk (one "
        f"thread) and the backends on CPU 1; {s['seconds']:g} s per side of each comparison, "
        f"in {s.get('rounds', 1)} alternating rounds, after a {s['warm_up']:g} s warm-up; "
        f"{s['connections']} connections unless `c` says 1. {total}"
    ]


def markdown(run: Run) -> str:
    body: list[str] = []
    if run.results:
        body += ["The targets (ratios measured side by side in this run):", ""]
        body += [*summary_table(run.results, run.memory), ""]
    body += query_cost_report.section(run.costs, run.cost_runs)
    if run.results:
        body += ["Every scenario:", "", *results_table(run.results), ""]
        body += ["Memory of the API worker after each size's runs:", ""]
        body += [*memory_table(run.memory), ""]
    notes = [f"- {note}" for note in run.notes]
    return "\n".join([*_header(run), "", *body, *notes]).rstrip("\n") + "\n"


def write(run: Run, latest: bool) -> list[Path]:
    """``<stamp>.json`` and ``.md`` (``quick-<stamp>`` for a smoke run), and with ``latest``
    the README's tables."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        "stamp": run.stamp,
        "settings": run.settings,
        "timings_seconds": {k: round(v, 1) for k, v in run.timings.items()},
        "results": [r.as_json() for r in run.results],
        "memory": [m.as_json() for m in run.memory],
        "query_cost": [c.as_json() for c in run.costs],
        "query_cost_runs": [r.as_json() for r in run.cost_runs],
        "notes": list(run.notes),
    }
    name = f"quick-{run.stamp}" if run.settings.get("quick") else run.stamp
    written = [RESULTS / f"{name}.json", RESULTS / f"{name}.md"]
    written[0].write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(run)
    written[1].write_text(f"# FilmFlare benchmark {run.stamp}\n\n{text}", encoding="utf-8")
    if latest:
        written.append(RESULTS / "latest.md")
        written[2].write_text(text, encoding="utf-8")
    return written


def _measure(data: dict[str, Any] | None) -> Measure | None:
    if data is None:
        return None
    return Measure(data["name"], data["rate"], data["unit"], data["p50_ms"], data["p99_ms"])


def load(path: Path) -> Run:
    """A run from the JSON ``write`` made of it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results = []
    for r in data["results"]:
        service = _measure(r["service"])
        assert service is not None
        results.append(
            Result(
                r["profile"],
                r["size"],
                r["scenario"],
                service,
                _measure(r["reference"]),
                r["compare"],
                r["target"],
                r["connections"],
                r["notes"],
            )
        )
    memory = [
        MemoryReading(
            m["profile"], m["size"], m["movies"], m["rss_mib"], m["peak_mib"], m["target_mib"]
        )
        for m in data["memory"]
    ]
    return Run(
        data["stamp"],
        data["settings"],
        results,
        memory,
        data["timings_seconds"],
        data["notes"],
        [CostResult.of_json(c) for c in data.get("query_cost", [])],
        [CostRun.of_json(r["engine"], r["size"], r) for r in data.get("query_cost_runs", [])],
    )


if __name__ == "__main__":
    print(markdown(load(Path(sys.argv[1]))), end="")
