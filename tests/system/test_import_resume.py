"""``filmflare import`` killed with SIGKILL halfway, then run again: every row once."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.system.api_process import FILMFLARE, process_env

pytestmark = pytest.mark.slow
ROWS = 20_000


def committed_line(database: Path) -> int:
    """How far the import's mark says it has committed (0 before the first batch)."""
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(database)) as db:
        row = db.execute("SELECT max(line) FROM import_marks").fetchone()
        return int(row[0] or 0)
    return 0


def test_an_import_killed_halfway_resumes_without_duplicates(tmp_path: Path) -> None:
    source = tmp_path / "movies.ndjson"
    lines = []
    for n in range(1, ROWS + 1):
        row: dict[str, object] = {"title": f"Movie {n}", "votes": n}
        if n % 4 == 0:
            row["external_id"] = f"feed:{n}"
        lines.append(json.dumps(row))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = process_env({"FILMFLARE_DATA_DIR": str(tmp_path / "data")})
    command = [str(FILMFLARE), "import", str(source)]
    database = tmp_path / "data" / "filmflare.sqlite3"

    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while committed_line(database) == 0 and first.poll() is None:
        assert time.monotonic() < deadline, "no batch committed in two minutes"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = committed_line(database)
    assert 0 < killed_at < ROWS, f"the import was not killed halfway ({killed_at})"

    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=300)
    out = again.stdout.decode()
    assert again.returncode == 0, out + again.stderr.decode()
    assert f"resumed after line {killed_at:,}" in out
    with contextlib.closing(sqlite3.connect(database)) as db:
        titles = [title for (title,) in db.execute("SELECT title FROM movies")]
    assert len(titles) == ROWS
    assert len(set(titles)) == ROWS
