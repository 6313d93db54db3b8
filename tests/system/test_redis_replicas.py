"""Two API processes on one Redis (one SQLite file, one index directory): a write through one
is read at once through the other; Redis stopping and starting again fails no read.

Traffic goes to 127.0.0.1 only, in loops bounded in count and time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from filmflare.adapters.redis import RedisConnection
from tests.http.conftest import MOVIE, SECRET, bearer
from tests.infra_redis import RedisServer, own_redis, redis_prefix, redis_url
from tests.system.api_process import ApiProcess, cache_hits, running

__all__ = ["own_redis", "redis_prefix", "redis_url"]  # fixtures, used by name
pytestmark = [pytest.mark.infra, pytest.mark.slow, pytest.mark.anyio]
LOOPS = 100
OUTAGE_READS = 150
MAX_SECONDS = 60.0


def replica_settings(data_dir: Path, redis: str, prefix: str) -> dict[str, str]:
    return {
        "FILMFLARE_CACHE": "redis",
        "FILMFLARE_REDIS_URL": redis,
        "FILMFLARE_REDIS_PREFIX": prefix,
        "FILMFLARE_DATA_DIR": str(data_dir),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": "error",
        # Longer than the default, so that a busy machine does not turn hits into fallbacks.
        "FILMFLARE_REDIS_TIMEOUT_SECONDS": "0.5",
    }


@pytest.fixture
def replicas(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[tuple[ApiProcess, ...]]:
    settings = replica_settings(tmp_path / "data", redis_url, redis_prefix)
    with running(
        ApiProcess(tmp_path / "a", settings), ApiProcess(tmp_path / "b", settings)
    ) as apis:
        yield apis


async def add(client: httpx.AsyncClient, api: ApiProcess, **fields: Any) -> str:
    response = await client.post(f"{api.url}/movies", json=MOVIE | fields, headers=bearer())
    assert response.status_code == 201, response.text
    movie_id: str = response.json()["id"]
    return movie_id


async def test_a_write_through_one_replica_is_read_at_once_through_the_other(
    replicas: tuple[ApiProcess, ApiProcess],
) -> None:
    one, other = replicas
    async with httpx.AsyncClient(timeout=10) as client:
        movie_id = await add(client, one, votes=0)
        stale = []
        for n in range(1, LOOPS + 1):
            writer, reader = (one, other) if n % 2 else (other, one)
            path = f"/movies/{movie_id}"
            assert (await client.get(reader.url + path)).status_code == 200  # cached there
            written = await client.patch(writer.url + path, json={"votes": n}, headers=bearer())
            assert written.status_code == 200, written.text
            read = await client.get(reader.url + path)
            if read.json()["votes"] != n or read.headers["ETag"] != written.headers["ETag"]:
                stale.append((n, read.json()["votes"], read.headers["ETag"]))
        hits = [await cache_hits(client, api) for api in replicas]
    print(f"\ncoherence: {LOOPS} write-then-read loops, {len(stale)} stale, cache hits {hits}")
    assert stale == []
    assert sum(hits) >= LOOPS // 2  # the warming reads were served from Redis


async def test_reads_keep_answering_while_redis_is_down_and_hits_resume_after(
    tmp_path: Path, own_redis: RedisServer, redis_prefix: str
) -> None:
    settings = replica_settings(tmp_path / "data", own_redis.url, redis_prefix)
    with running(ApiProcess(tmp_path / "a", settings)) as (api,):
        async with httpx.AsyncClient(timeout=10) as client:
            ids = [await add(client, api, title=f"Movie {n}") for n in range(5)]
            paths = [f"/movies/{i}" for i in ids] + ["/movies?q=movie", "/genres"]
            reads = Reads(client, api.url, paths)
            task = asyncio.create_task(reads.run())
            try:
                await reads.until(len(paths) * 5)
                before = await cache_hits(client, api)
                assert before > 0

                own_redis.stop()
                stopped_at = reads.done
                await reads.until(stopped_at + OUTAGE_READS)
                written = await client.patch(
                    f"{api.url}{paths[0]}", json={"votes": 7}, headers=bearer()
                )
                assert written.status_code == 200
                assert (await client.get(api.url + paths[0])).json()["votes"] == 7
                readiness = await client.get(f"{api.url}/readyz")
                assert readiness.status_code == 200  # every request is still served
                assert readiness.json()["status"] == "degraded"
                assert readiness.json()["checks"]["cache"] != "ok"
                outage_hits = await cache_hits(client, api)

                own_redis.start()  # same port, empty; the API is not restarted
                after = await wait_for_hits(client, api, above=outage_hits)
                assert (await client.get(api.url + paths[0])).json()["votes"] == 7
                ready = await client.get(f"{api.url}/readyz")
                for _ in range(50):  # a loaded machine may need a moment after the restart
                    if ready.status_code == 200 and ready.json()["status"] == "ready":
                        break
                    await asyncio.sleep(0.1)
                    ready = await client.get(f"{api.url}/readyz")
                assert ready.json()["status"] == "ready", ready.text
            finally:
                reads.stop = True
                await task
            server_hits = await keyspace_hits(own_redis.url)
    print(
        f"\noutage: {reads.done} reads, {reads.failed} failed, {reads.done - stopped_at} "
        f"during and after the outage; hits before {before}, at restart {outage_hits}, "
        f"after {after}; keyspace_hits on the restarted server {server_hits}"
    )
    assert reads.failed == 0
    assert after > outage_hits
    assert server_hits > 0


class Reads:
    """Reads ``paths`` in turn, counting answers other than 200, until told to stop."""

    def __init__(self, client: httpx.AsyncClient, base: str, paths: list[str]) -> None:
        self.client, self.base, self.paths = client, base, paths
        self.done = self.failed = 0
        self.stop = False
        self._deadline = time.monotonic() + MAX_SECONDS

    async def run(self) -> None:
        while not self.stop and time.monotonic() < self._deadline:
            path = self.paths[self.done % len(self.paths)]
            try:
                status = (await self.client.get(self.base + path)).status_code
            except httpx.HTTPError:
                status = 0
            self.done += 1
            self.failed += status != 200
            await asyncio.sleep(0.005)

    async def until(self, count: int) -> None:
        while self.done < count:
            assert time.monotonic() < self._deadline, "the reads took too long"
            await asyncio.sleep(0.01)


async def wait_for_hits(client: httpx.AsyncClient, api: ApiProcess, above: float) -> float:
    deadline = time.monotonic() + 30
    while (hits := await cache_hits(client, api)) <= above:
        assert time.monotonic() < deadline, "no cache hit since Redis came back"
        await asyncio.sleep(0.1)
    return hits


async def keyspace_hits(url: str) -> int:
    connection = RedisConnection(url, timeout=1.0)
    await connection.start()
    try:
        stats = await connection.run("info", lambda client: client.info("stats"))
        return int(stats["keyspace_hits"])
    finally:
        await connection.close()
