"""Several worker processes of one server read what any of them wrote, at once.

``filmflare serve --workers N`` on the embedded profile (each worker its own memory cache)
and on Redis: every worker caches a movie and a search, a write goes through one worker, and
every worker is then read through a connection of its own. A movie read is stale if it shows
an older version than the write answered; a search is stale if it does not show the write
within the contract's second. Loopback only, bounded in count and time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.conftest import MOVIE, SECRET, bearer
from tests.infra_redis import redis_prefix, redis_url
from tests.system.api_process import ApiProcess
from tests.system.workers import (
    WorkerConnection,
    close_all,
    connect_to_every_worker,
    one_per_worker,
)

__all__ = ["redis_prefix", "redis_url"]  # fixtures, used by name
pytestmark = pytest.mark.slow
ROUNDS = 15
SEARCH_VISIBLE_SECONDS = 1.0


def embedded(data_dir: Path) -> dict[str, str]:
    return {
        "FILMFLARE_DATA_DIR": str(data_dir),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": "warning",
    }


@pytest.fixture
def workers(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[list[WorkerConnection]]:
    count, cache = request.param
    settings = embedded(tmp_path / "data")
    if cache == "redis":
        settings |= {
            "FILMFLARE_CACHE": "redis",
            "FILMFLARE_REDIS_URL": request.getfixturevalue("redis_url"),
            "FILMFLARE_REDIS_PREFIX": request.getfixturevalue("redis_prefix"),
            "FILMFLARE_REDIS_TIMEOUT_SECONDS": "0.5",
        }
    api = ApiProcess(tmp_path, settings, workers=count)
    api.start()
    held: list[WorkerConnection] = []
    try:
        held = connect_to_every_worker(api)
        yield held
    finally:
        close_all(held)
        api.stop()


def votes_found(worker: WorkerConnection, search: str) -> int | None:
    """The votes of the movie the search finds, as this worker answers it."""
    status, body = worker.request("GET", search)
    assert status == 200, body
    return body["results"][0]["votes"] if body["results"] else None


def stale_reads(held: list[WorkerConnection]) -> list[str]:
    """Write through one worker, ``ROUNDS`` times; what any worker then read that was old."""
    word = uuid.uuid4().hex[:10]
    writer = held[0]
    status, movie = writer.request("POST", "/movies", MOVIE | {"title": f"Heat {word}"}, bearer())
    assert status == 201, movie
    path, search = f"/movies/{movie['id']}", f"/movies?q={word}&per_page=1"
    stale: list[str] = []
    for n in range(ROUNDS):
        for worker in held:  # every worker caches the movie and the search
            assert worker.request("GET", path)[0] == 200
            assert worker.request("GET", search)[0] == 200
        status, written = writer.request("PATCH", path, {"votes": n}, bearer())
        assert status == 200, written
        for worker in one_per_worker(held):
            _, seen = worker.request("GET", path)
            if seen["version"] != written["version"]:
                stale.append(f"round {n}, worker {worker.pid}: movie v{seen['version']}")
        deadline = time.monotonic() + SEARCH_VISIBLE_SECONDS
        for worker in one_per_worker(held):
            while (found := votes_found(worker, search)) != n:
                if time.monotonic() > deadline:
                    stale.append(f"round {n}, worker {worker.pid}: search shows votes {found}")
                    break
                time.sleep(0.02)
    return stale


@pytest.mark.parametrize(
    "workers",
    [
        pytest.param((2, "memory"), id="embedded-2-workers"),
        pytest.param((4, "memory"), id="embedded-4-workers"),
        pytest.param((2, "redis"), id="redis-2-workers", marks=pytest.mark.infra),
    ],
    indirect=True,
)
def test_a_write_is_read_at_once_by_every_worker(workers: list[WorkerConnection]) -> None:
    pids = {worker.pid for worker in workers}
    stale = stale_reads(workers)
    print(f"\n{len(pids)} workers, {ROUNDS} writes: {len(stale)} stale reads")
    assert stale == []
