"""``filmflare serve`` on the embedded profile, as a user runs it: what it holds in memory
under a stream of distinct searches, and how it starts on a change feed with a backlog.

Loopback only; request counts and waits are bounded.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.domain.movie import Movie, MovieData, new_movie_id
from tests.http.conftest import SECRET
from tests.system.api_process import FILMFLARE, ApiProcess, process_env

pytestmark = [pytest.mark.slow, pytest.mark.anyio]
CACHE_MAX_BYTES = 4 * 1024 * 1024
WARM_UP, SEARCHES, CONCURRENCY = 300, 3_000, 8
# What a worker may grow by besides its cache: the allocator's slack, the query plans it
# remembers, tantivy's readers. Without the byte bound, 3,000 answers of ~38 KB held 110 MiB.
ALLOWANCE = 32 * 1024 * 1024
BACKLOG = 30_000


def embedded(data_dir: Path, **more: str) -> dict[str, str]:
    return {
        "FILMFLARE_DATA_DIR": str(data_dir),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": "warning",
        **more,
    }


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.M)
    assert found is not None
    return int(found[1]) * 1024


def large_searches(count: int, start: int = 0) -> list[str]:
    """Distinct searches of 100 results with every facet: ~38 KB each on the demo catalog."""
    paths = []
    for n in range(start, start + count):
        low = 1900 + n % 100
        paths.append(
            f"/movies?per_page=100&facets=genres,decade,rating&year_from={low}"
            f"&year_to={low + 30}&votes_min={n // 100}&sort=-votes"
        )
    return paths


async def ask_all(client: httpx.AsyncClient, base: str, paths: list[str]) -> int:
    """GET every path, ``CONCURRENCY`` at a time; returns the bytes answered."""
    queue = list(reversed(paths))
    answered = 0

    async def worker() -> None:
        nonlocal answered
        while queue:
            response = await client.get(base + queue.pop())
            assert response.status_code == 200, response.text
            answered += len(response.content)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return answered


def cache_bytes(metrics: str) -> float:
    found = re.search(r"^filmflare_cache_bytes ([0-9.e+]+)$", metrics, re.M)
    assert found is not None, "no filmflare_cache_bytes in /metrics"
    return float(found[1])


def seed(workdir: Path, settings: dict[str, str]) -> None:
    """``filmflare seed``: the demo catalog, 3,200 movies."""
    done = subprocess.run(
        [str(FILMFLARE), "seed"],
        env=process_env(settings),
        cwd=workdir,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()


async def test_the_memory_cache_stays_within_its_bytes(tmp_path: Path) -> None:
    settings = embedded(tmp_path / "data", FILMFLARE_CACHE_MAX_BYTES=str(CACHE_MAX_BYTES))
    await asyncio.to_thread(seed, tmp_path, settings)
    api = ApiProcess(tmp_path, settings)
    api.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            await ask_all(client, api.url, large_searches(WARM_UP, start=SEARCHES))
            before = rss(api.pid)
            answered = await ask_all(client, api.url, large_searches(SEARCHES))
            after = rss(api.pid)
            held = cache_bytes((await client.get(f"{api.url}/metrics")).text)
    finally:
        api.stop()
    mib = 1024 * 1024
    print(
        f"\n{SEARCHES} distinct searches, {answered / mib:.0f} MiB answered: worker RSS "
        f"{before / mib:.0f} -> {after / mib:.0f} MiB, cache {held / mib:.1f} MiB "
        f"(bound {CACHE_MAX_BYTES / mib:.0f} MiB)"
    )
    assert answered > 3 * CACHE_MAX_BYTES  # far more than the cache may hold
    assert held <= CACHE_MAX_BYTES
    assert after - before < CACHE_MAX_BYTES + ALLOWANCE


async def write_backlog(data_dir: Path, count: int) -> None:
    """``count`` movies in the store, none of them indexed yet: the change feed's backlog."""
    repository = SqliteMovieRepository(data_dir / "filmflare.sqlite3")
    await repository.start()
    try:
        now = datetime.now(UTC)
        for start in range(0, count, 1_000):
            await repository.add_many(
                [
                    Movie.create(new_movie_id(), MovieData(title=f"Backlog {n}"), now)
                    for n in range(start, min(count, start + 1_000))
                ]
            )
    finally:
        await repository.close()


async def test_a_backlog_does_not_keep_the_port_closed(tmp_path: Path) -> None:
    """Liveness answers at once; readiness says the index is catching up until it has."""
    await write_backlog(tmp_path / "data", BACKLOG)
    api = ApiProcess(tmp_path, embedded(tmp_path / "data"))
    api.launch()
    catching_up = ready = 0
    live_while_catching_up = False
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    live = await client.get(f"{api.url}/healthz")
                    readiness = await client.get(f"{api.url}/readyz")
                except httpx.TransportError:  # not listening yet
                    await asyncio.sleep(0.05)
                    continue
                if readiness.status_code == 503:
                    assert "catching up" in readiness.json()["checks"]["search"]
                    catching_up += 1
                    live_while_catching_up |= live.status_code == 200
                elif readiness.status_code == 200:
                    ready += 1
                    break
                await asyncio.sleep(0.05)
            found = await client.get(f"{api.url}/movies?q=backlog&per_page=1")
    finally:
        api.stop()
    print(f"\n{BACKLOG} changes to index: /readyz said catching up {catching_up} times")
    assert live_while_catching_up  # the port was open and /healthz answered before it was done
    assert ready == 1
    assert found.json()["total_results"] == BACKLOG
