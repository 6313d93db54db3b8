"""``filmflare import`` killed with SIGKILL at random points, run again each time, then to the
end: every row is in the catalog exactly once, on the embedded and the production profile.

A third of the rows carry an ``external_id`` (matched again on every run), the rest do not
(skipped up to the committed mark). The kill lands wherever the run is: before its first
batch, mid-batch, between two. Bounded: a few runs of a few thousand rows, on 127.0.0.1.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.system.api_process import FILMFLARE
from tests.system.commands import (
    embedded,
    exported,
    filmflare,
    moto_url,
    opensearch_url,
    production_settings,
    redis_url,
)

__all__ = ["moto_url", "opensearch_url", "production_settings", "redis_url"]  # fixtures
pytestmark = pytest.mark.slow
KILLS = 3
# Rows per profile, and how long a run may live before its kill: from the start of the
# process (a second of imports) to a time at which the three runs together cannot have
# reached the end (about 5,000 rows/s embedded, 150 on moto).
ROWS = {"embedded": 40_000, "production": 2_500}
KILL_WINDOW = {"embedded": (1.0, 2.5), "production": (2.0, 5.0)}
_SUMMARY = re.compile(
    r"([\d,]+) rows? created, ([\d,]+) updated, ([\d,]+) unchanged, ([\d,]+) rejected"
    r"(?:, ([\d,]+) skipped)?"
)


def write_rows(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            row: dict[str, object] = {"title": f"Movie {n}", "votes": n}
            if n % 3 == 0:
                row["external_id"] = f"feed:{n}"
            out.write(json.dumps(row) + "\n")


def kill_after(seconds: float, env: dict[str, str], cwd: Path, source: Path) -> bool:
    """Start an import and SIGKILL it after ``seconds``; False when it ended first."""
    run = subprocess.Popen(
        [str(FILMFLARE), "import", str(source)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)
    alive = run.poll() is None
    run.send_signal(signal.SIGKILL)
    run.wait()
    return alive


def counts(output: str) -> tuple[int, int, int, int, int]:
    found = _SUMMARY.search(output)
    assert found is not None, output
    return tuple(int((g or "0").replace(",", "")) for g in found.groups())  # type: ignore[return-value]


@pytest.mark.parametrize(
    "profile",
    ["embedded", pytest.param("production", marks=pytest.mark.infra)],
)
def test_an_import_killed_at_random_points_ends_with_every_row_once(
    tmp_path: Path, profile: str, request: pytest.FixtureRequest
) -> None:
    env = (
        embedded(tmp_path / "data")
        if profile == "embedded"
        else request.getfixturevalue("production_settings")
    )
    rows = ROWS[profile]
    source = tmp_path / "movies.ndjson"
    write_rows(source, rows)
    chance = random.Random()
    seed = chance.randrange(1 << 30)
    chance.seed(seed)

    window = KILL_WINDOW[profile]
    killed = [kill_after(chance.uniform(*window), env, tmp_path, source) for _ in range(KILLS)]
    last = filmflare(env, tmp_path, "import", str(source))

    assert any(killed), f"every run ended before its kill (seed {seed})"
    created, updated, unchanged, rejected, skipped = counts(last)
    assert (updated, rejected) == (0, 0), last
    assert created + unchanged + skipped == rows, last
    titles = [row["title"] for row in exported(env, tmp_path)]
    assert len(titles) == rows, f"seed {seed}: {len(titles)} movies for {rows} rows"
    assert len(set(titles)) == rows, f"seed {seed}: duplicates"
    if created < rows:  # an earlier run committed a batch: this one says where it went on
        assert "resumed after line" in last
