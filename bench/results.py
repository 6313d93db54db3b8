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
