"""The query-cost scenario's tables: its targets per engine and size, every slice's figures,
and the relevance probe."""

from __future__ import annotations

from collections.abc import Sequence

from bench.catalogs import SIZES
from bench.query_cost import FILMFLARE, MATCH, MULTI_MATCH, VARIANTS
from bench.query_sets import SLICES
from bench.results import CostResult, CostRun, QueryCost

ENGINE_ORDER = ("opensearch", "elasticsearch", "embedded")


def _key(engine: str, size: str, slice_name: str = "") -> tuple[int, int, int]:
    slice_at = SLICES.index(slice_name) if slice_name in SLICES else 0
    return ENGINE_ORDER.index(engine), list(SIZES).index(size), slice_at


def _mark(met: bool | None) -> str:
    return "" if met is None else (" ✅" if met else " ❌")


def _ratio(value: float | None, met: bool | None) -> str:
    return "" if value is None else f"{value:.2f}×{_mark(met)}"


def _cpu(cost: QueryCost | None) -> str:
    return "" if cost is None else f"{cost.cpu_ms:.3f}"


def _latency(cost: QueryCost | None) -> str:
    return "" if cost is None else f"{cost.p50_ms:.2f} / {cost.p99_ms:.2f}"


def _notes(result: CostResult) -> str:
    """Errors, and the share of searches that found nothing, in ``VARIANTS`` order."""
    costs = [c for c in (result.variants.get(v) for v in VARIANTS) if c is not None]
    notes = [
        f"{name}: {cost.errors} errors ({cost.first_error[:120]})"
        for name, cost in result.variants.items()
        if cost.errors
    ]
    empty = [f"{c.empty / c.searches:.0%}" if c.searches else "" for c in costs]
    notes.append(f"found nothing: {' / '.join(empty)}")
    return "; ".join(notes).replace("|", "/")


def summary_table(results: Sequence[CostResult]) -> list[str]:
    """One row per target and slice, one column per engine and size."""
    ordered = sorted(results, key=lambda r: _key(r.engine, r.size, r.slice))
    columns = list(dict.fromkeys((r.engine, r.size) for r in ordered))
    found = {(r.engine, r.size, r.slice): r for r in results}
    lines = [
        "| target | " + " | ".join(f"{e} {s}" for e, s in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name in SLICES:
        cells = [found.get((e, s, name)) for e, s in columns]
        row = [_ratio(r.cpu_ratio, r.cpu_met) if r else "" for r in cells]
        target = next((r.cpu_target for r in cells if r and r.cpu_target), None)
        title = f"CPU/search ≤ {target:g}× multi_match AUTO, {name}" if target else name
        lines.append(f"| {title} | " + " | ".join(row) + " |")
    for name in SLICES:
        cells = [found.get((e, s, name)) for e, s in columns]
        target = next((r.p99_target for r in cells if r and r.p99_target), None)
        if target is not None:
            row = [_ratio(r.p99_ratio, r.p99_met) if r else "" for r in cells]
            title = f"p99 ≤ {target:g}× multi_match AUTO, {name}"
            lines.append(f"| {title} | " + " | ".join(row) + " |")
    return lines


def detail_table(results: Sequence[CostResult]) -> list[str]:
    lines = [
        "| engine | catalog | slice | searches | FilmFlare CPU ms | match CPU ms | "
        "multi_match AUTO CPU ms | CPU ratio | FilmFlare p50 / p99 ms | match p50 / p99 ms | "
        "multi_match AUTO p50 / p99 ms | p99 ratio | notes |",
        "|---|---|---|--:|--:|--:|--:|---|--:|--:|--:|---|---|",
    ]
    for r in sorted(results, key=lambda r: _key(r.engine, r.size, r.slice)):
        ours, match, multi = (r.variants.get(v) for v in (FILMFLARE, MATCH, MULTI_MATCH))
        cells = [
            r.engine,
            r.size,
            r.slice,
            "" if ours is None else str(ours.searches),
            _cpu(ours),
            _cpu(match),
            _cpu(multi),
            _ratio(r.cpu_ratio, r.cpu_met),
            _latency(ours),
            _latency(match),
            _latency(multi),
            _ratio(r.p99_ratio, r.p99_met),
            _notes(r),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def runs_table(runs: Sequence[CostRun]) -> list[str]:
    """Per engine and size: the relevance probe, the warm-up, and the CPU time counted."""
    lines = [
        "| engine | catalog | films | "
        + " | ".join(f"{v} in top 3" for v in VARIANTS)
        + " | warm-up searches | idle CPU ms/s | CPU s over the slices (engine's own count) |",
        "|---|---|--:|" + "--:|" * len(VARIANTS) + "--:|--:|--:|",
    ]
    for r in sorted(runs, key=lambda r: _key(r.engine, r.size)):
        share = {v: r.found.get(v, 0) / r.cases if r.cases else 0.0 for v in VARIANTS}
        found = [f"{r.found.get(v, 0)} ({share[v]:.0%})" for v in VARIANTS]
        check = "" if r.check_seconds is None else f" ({r.check_seconds:.2f})"
        cells = [r.engine, r.size, str(r.cases), *found, f"{r.warm_up_searches:,}"]
        cells += [f"{r.idle_cpu_ms_per_s:g}", f"{r.cpu_seconds:.2f}{check}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def section(results: Sequence[CostResult], runs: Sequence[CostRun]) -> list[str]:
    """The scenario's part of the run's Markdown."""
    if not results and not runs:
        return []
    lines = ["Query cost: FilmFlare's query beside a plain match and multi_match AUTO on the"]
    lines += ["same engine (ratios are FilmFlare's over multi_match AUTO's):", ""]
    lines += [*summary_table(results), "", "Every slice (CPU: the engine's, per search):", ""]
    lines += [*detail_table(results), ""]
    if runs:
        lines += ["Relevance (popular demo films, the longest title word with two inner letters"]
        lines += ["swapped: is the film among the first three hits?), and the CPU counted:", ""]
        lines += [*runs_table(runs), ""]
    return lines
