"""What a run finds: each scenario measured beside its reference, and the ratio that counts.

A throughput ratio is the service's rate over the reference's (higher is better); a latency
ratio is the service's median latency over the reference's (lower is better); a p99 ratio
is the service's 99th percentile over the reference's, and its target is the service's p99
itself, in milliseconds (at most). Targets are the issue's, for one worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bench.load import Load
from bench.query_cost import FILMFLARE, MULTI_MATCH

Compare = Literal["throughput", "latency", "p99"]


@dataclass(frozen=True, slots=True)
class Measure:
    """One side of a comparison: a rate, and latencies when requests were timed."""

    name: str
    rate: float
    unit: str = "req/s"
    p50_ms: float | None = None
    p99_ms: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_load(cls, name: str, load: Load) -> Measure:
        return cls(
            name,
            load.rate,
            "req/s",
            load.latency_us["p50"] / 1000,
            load.latency_us["p99"] / 1000,
            load.as_json(),
        )

    @classmethod
    def of_items(cls, name: str, answer: dict[str, Any], unit: str = "movies/s") -> Measure:
        """From a probe's ``{"items" or "taken": n, "seconds": s}``."""
        items = int(answer.get("items", answer.get("taken", 0)))
        seconds = float(answer["seconds"])
        return cls(name, items / seconds if seconds > 0 else 0.0, unit, detail=answer)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rate": round(self.rate, 1),
            "unit": self.unit,
            "p50_ms": None if self.p50_ms is None else round(self.p50_ms, 3),
            "p99_ms": None if self.p99_ms is None else round(self.p99_ms, 3),
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """One scenario on one profile and catalog size."""

    profile: str
    size: str
    scenario: str
    service: Measure
    reference: Measure | None = None
    compare: Compare = "throughput"
    # at least this (throughput), at most this (latency), at most this many ms of p99 (p99)
    target: float | None = None
    connections: int | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        reference = self.reference
        if reference is None:
            return None
        if self.compare == "p99":
            if not self.service.p99_ms or not reference.p99_ms:
                return None
            return self.service.p99_ms / reference.p99_ms
        if self.compare == "latency":
            if not self.service.p50_ms or not reference.p50_ms:
                return None
            return self.service.p50_ms / reference.p50_ms
        return self.service.rate / reference.rate if reference.rate else None

    @property
    def met(self) -> bool | None:
        if self.compare == "p99":
            p99 = self.service.p99_ms
            return None if self.target is None or p99 is None else p99 <= self.target
        ratio = self.ratio
        if self.target is None or ratio is None:
            return None
        return ratio <= self.target if self.compare == "latency" else ratio >= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "size": self.size,
            "scenario": self.scenario,
            "connections": self.connections,
            "service": self.service.as_json(),
            "reference": None if self.reference is None else self.reference.as_json(),
            "compare": self.compare,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target,
            "met": self.met,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class MemoryReading:
    """The API worker's resident memory after a catalog size's scenarios."""

    profile: str
    size: str
    movies: int
    rss_mib: float
    peak_mib: float
    target_mib: float | None = None

    @property
    def met(self) -> bool | None:
        return None if self.target_mib is None else self.peak_mib <= self.target_mib

    def as_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "size": self.size,
            "movies": self.movies,
            "rss_mib": self.rss_mib,
            "peak_mib": self.peak_mib,
            "target_mib": self.target_mib,
            "met": self.met,
        }


@dataclass(frozen=True, slots=True)
class QueryCost:
    """One variant of the query-cost scenario on one slice: the probe's figures."""

    searches: int
    errors: int
    empty: int  # searches that found nothing
    cpu_ms: float  # the engine's CPU time per search
    p50_ms: float
    p99_ms: float
    first_error: str = ""

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> QueryCost:
        return cls(
            int(data["searches"]),
            int(data["errors"]),
            int(data["empty"]),
            float(data["cpu_ms"]),
            float(data["p50_ms"]),
            float(data["p99_ms"]),
            str(data.get("first_error", "")),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "searches": self.searches,
            "errors": self.errors,
            "empty": self.empty,
            "cpu_ms": self.cpu_ms,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "first_error": self.first_error,
        }


@dataclass(frozen=True, slots=True)
class CostResult:
    """FilmFlare's query beside the plain ones, on one engine, catalog size and slice.

    Targets: FilmFlare's CPU per search at most ``cpu_target`` × ``multi_match AUTO``'s; on
    the long-word slice, its p99 at most ``p99_target`` × the reference's too."""

    engine: str
    size: str
    slice: str
    variants: dict[str, QueryCost]  # by variant: query_cost.VARIANTS
    cpu_target: float | None = None
    p99_target: float | None = None

    def _ratio(self, value: str) -> float | None:
        ours, reference = self.variants.get(FILMFLARE), self.variants.get(MULTI_MATCH)
        if ours is None or reference is None:
            return None
        a, b = getattr(ours, value), getattr(reference, value)
        return a / b if b else None

    @property
    def cpu_ratio(self) -> float | None:
        return self._ratio("cpu_ms")

    @property
    def p99_ratio(self) -> float | None:
        return self._ratio("p99_ms")

    @property
    def cpu_met(self) -> bool | None:
        ratio = self.cpu_ratio
        return None if ratio is None or self.cpu_target is None else ratio <= self.cpu_target

    @property
    def p99_met(self) -> bool | None:
        ratio = self.p99_ratio
        return None if ratio is None or self.p99_target is None else ratio <= self.p99_target

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "size": self.size,
            "slice": self.slice,
            "variants": {name: cost.as_json() for name, cost in self.variants.items()},
            "cpu_target": self.cpu_target,
            "p99_target": self.p99_target,
            "cpu_ratio": None if self.cpu_ratio is None else round(self.cpu_ratio, 3),
            "p99_ratio": None if self.p99_ratio is None else round(self.p99_ratio, 3),
            "cpu_met": self.cpu_met,
            "p99_met": self.p99_met,
        }

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> CostResult:
        variants = {name: QueryCost.of_json(v) for name, v in data["variants"].items()}
        return cls(
            data["engine"],
            data["size"],
            data["slice"],
            variants,
            data.get("cpu_target"),
            data.get("p99_target"),
        )


@dataclass(frozen=True, slots=True)
class CostRun:
    """The query-cost scenario on one engine and catalog, beyond its slices: the warm-up,
    the engine's idle CPU, its CPU time over all the slices by both counters (``/proc`` or
    the probe's own; the engine's), and the relevance probe: how often each variant has a
    popular film, its title's longest word mistyped, among its first ``top`` hits."""

    engine: str
    size: str
    warm_up_searches: int
    idle_cpu_ms_per_s: float
    cpu_seconds: float
    check_seconds: float | None
    cases: int
    top: int
    found: dict[str, int]

    @classmethod
    def of_json(cls, engine: str, size: str, data: dict[str, Any]) -> CostRun:
        """From a probe's answer (or ``as_json``'s, which adds the engine and size)."""
        relevance = data["relevance"]
        check = data.get("check_seconds")
        return cls(
            engine,
            size,
            int(data["warm_up_searches"]),
            float(data["idle_cpu_ms_per_s"]),
            float(data["cpu_seconds"]),
            None if check is None else float(check),
            int(relevance["cases"]),
            int(relevance["top"]),
            {k: int(v) for k, v in relevance["found"].items()},
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "size": self.size,
            "warm_up_searches": self.warm_up_searches,
            "idle_cpu_ms_per_s": self.idle_cpu_ms_per_s,
            "cpu_seconds": self.cpu_seconds,
            "check_seconds": self.check_seconds,
            "relevance": {"cases": self.cases, "top": self.top, "found": self.found},
        }
