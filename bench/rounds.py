"""Two sides measured in alternating rounds, so that a machine whose load drifts during a
run (a shared one does) weighs on both sides alike, not on whichever ran second.

Each round gives each side an equal share of the time; a side's rounds are then combined:
requests and seconds add up, latency percentiles are the median of the rounds' own. Sides
that must be asked the same new targets (uncached searches) get the same offset into their
list in a round, and the next round starts past everything either side has asked.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from bench.load import Load

ROUNDS = 3
MARGIN = 1000  # targets skipped between rounds, past what connections had in flight
Side = Callable[[float, int], Load]  # (seconds, offset into the targets) -> load


def combined(loads: Sequence[Load]) -> Load:
    first = loads[0]
    keys = first.latency_us.keys()
    errors: dict[str, int] = {}
    for load in loads:
        for kind, count in load.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return Load(
        requests=sum(load.requests for load in loads),
        seconds=sum(load.seconds for load in loads),
        connections=first.connections,
        latency_us={k: statistics.median(load.latency_us[k] for load in loads) for k in keys},
        errors=errors,
    )


def alternate(
    first: Side, second: Side, seconds: float, offset: int = 0, rounds: int = ROUNDS
) -> tuple[Load, Load, int]:
    """Both sides' combined loads, and the offset after the last round."""
    share = max(1.0, round(seconds / rounds))
    ones: list[Load] = []
    others: list[Load] = []
    for _ in range(rounds):
        ones.append(first(share, offset))
        others.append(second(share, offset))
        offset += max(ones[-1].requests, others[-1].requests) + MARGIN
    return combined(ones), combined(others), offset
