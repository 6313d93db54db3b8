"""How many server processes ``filmflare serve --workers auto`` runs.

One per CPU this process may use: its CPU affinity, lowered by a cgroup v2 CPU quota when
the container has one (``cpu.max``), since a pod limited to 2 CPUs on a 64-core node must
not start 64 workers.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def resolve(workers: int | str, cpu_max: Path = CPU_MAX) -> int:
    """``workers`` as given, or for "auto" the CPUs available (at least 1)."""
    if workers != "auto":
        return int(workers)
    available = len(os.sched_getaffinity(0))
    quota = _quota(cpu_max)
    return max(1, min(available, quota) if quota is not None else available)


def _quota(cpu_max: Path) -> int | None:
    """CPUs granted by the cgroup's ``"<quota> <period>"`` line; None when unlimited."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return math.ceil(int(quota) / int(period))
    except (ValueError, ZeroDivisionError):
        return None
