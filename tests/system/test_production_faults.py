"""The production profile while a backend is down: the search engine stopped, Redis stopped,
DynamoDB paused. Each test stops a private server of its own and sends bounded traffic to
127.0.0.1; nothing is timed: each waits with a deadline, then asserts what it finds.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest
from redis.asyncio import Redis

from filmflare.application.cache_keys import movie_key
from tests.http.conftest import MOVIE, bearer
from tests.infra_moto import MotoServer, moto_url, own_moto
from tests.infra_redis import RedisServer, redis_url
from tests.infra_search import EngineInstance, opensearch_url, own_opensearch
from tests.system.api_process import ApiProcess, cache_hits, running
from tests.system.outages import EngineOutageRun, WritePlan, audit, landed
from tests.system.production import (
    add,
    converge,
    deployed,
    is_unavailable,
    persistent_redis,
    store_of,
)

__all__ = [  # fixtures, used by name
    "moto_url",
    "opensearch_url",
    "own_moto",
    "own_opensearch",
    "persistent_redis",
    "redis_url",
]
pytestmark = [pytest.mark.infra, pytest.mark.slow, pytest.mark.anyio]
WRITES, STOP_AT, RESTART_AT = 200, 50, 150
# What each id must read as: (version, votes), or None once deleted.
Expected = dict[str, tuple[int, int | None] | None]
# What a caller (or a load balancer: AWS ALB's default idle timeout) waits for an answer.
CLIENT_TIMEOUT = 60.0


async def test_writes_while_the_search_engine_is_down_are_all_indexed_once_it_is_back(
    tmp_path: Path, moto_url: str, redis_url: str, own_opensearch: EngineInstance
) -> None:
    engine = own_opensearch
    async with deployed(tmp_path, moto_url, engine.url, redis_url) as deployment:
        with running(deployment.api(tmp_path / "api")) as (api,):
            async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
                run = EngineOutageRun(client, api)
                restart: asyncio.Future[None] | None = None
                for n in range(WRITES):
                    if n == STOP_AT:
                        await anyio.to_thread.run_sync(engine.stop)
                        run.phase, stopped = "down", time.monotonic()
                    if n == RESTART_AT:  # the engine boots while the writes go on
                        restart = asyncio.ensure_future(anyio.to_thread.run_sync(engine.restart))
                        run.phase, restarted = "starting", time.monotonic()
                    await run.step(n)
                assert restart is not None
                await restart
                back = time.monotonic()
                async with store_of(deployment) as store:
                    caught_up = await converge(client, [api], store)
    failures = api.log.read_text().count("indexing failed")
    print(
        f"\nsearch engine outage: {WRITES} writes ({run.counts()}) in {run.timing()}; engine "
        f"down {back - stopped:.1f}s (writes {STOP_AT}-{WRITES - 1}; its restart took "
        f"{back - restarted:.1f}s); search statuses {run.statuses()}; {failures} failed "
        f"indexer passes; index equal to the store {caught_up.seconds:.1f}s after the engine "
        "answered"
    )
    assert run.failed_writes == []
    assert run.failed_reads == []
    assert len(run.searches["down"]) == RESTART_AT - STOP_AT
    assert all(is_unavailable(answer) for answer in run.searches["down"])
    assert all(answer.status_code == 200 for answer in run.searches["up"])
    assert all(a.status_code == 200 or is_unavailable(a) for a in run.searches["starting"])
    assert caught_up.reached, caught_up.differences()
    assert caught_up.store.versions == run.live  # what the API answered is what was kept


async def test_redis_down_fails_no_read_or_write_and_leaves_no_process_stale(
    tmp_path: Path, moto_url: str, opensearch_url: str, persistent_redis: RedisServer
) -> None:
    redis = persistent_redis
    async with deployed(tmp_path, moto_url, opensearch_url, redis.url) as deployment:
        apis = [deployment.api(tmp_path / name) for name in ("a", "b", "c")]
        with running(*apis):
            a, b, _idle = apis  # the third gets no request while Redis is down
            async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
                ids = [(await add(client, a, title=f"Cached movie {n}"))["id"] for n in range(6)]
                async with store_of(deployment) as store:
                    assert (await converge(client, apis, store)).reached
                stored: Expected = dict.fromkeys(ids, (1, cast(int, MOVIE["votes"])))
                for _ in range(2):  # the second round is served from Redis
                    await read_all(client, apis, stored)
                hits_before = sum([await cache_hits(client, api) for api in apis])

                redis.stop()  # it saves its data; the entries cached above come back with it
                stopped = time.monotonic()
                outage_reads = await read_all(client, [a, b], stored)
                searches = [await client.get(f"{api.url}/movies?q=cached") for api in (a, b)]
                expected = await write_during_outage(client, a, b, ids)
                during = await read_all(client, [a, b], expected)
                readiness = [await client.get(f"{api.url}/readyz") for api in apis]

                redis.start()  # same port, same data: stale entries, unless retired
                after, back = [], time.monotonic()
                kept = await entries_of(redis.url, deployment.prefix, ids[:3])
                for _ in range(40):  # longer than a breaker's cooldown (2 s) and a probe
                    when = f"{time.monotonic() - back:.2f}s after the restart: "
                    after += [when + r if r else r for r in await read_all(client, apis, expected)]
                    await asyncio.sleep(0.1)
                after_seconds = time.monotonic() - back
                ready = await wait_ready(client, apis)
                hits_after = await wait_for_more_hits(client, apis, than=hits_before)
                async with store_of(deployment) as store:
                    caught_up = await converge(client, apis, store)
    print(
        f"\nredis outage of {back - stopped:.1f}s: {len(outage_reads) + len(during)} reads, "
        f"2 searches and 4 writes through 2 of 3 processes during it; {kept} of their 3 "
        f"cached movies back with Redis; {len(after)} reads on the 3 processes in the "
        f"{after_seconds:.1f}s after it; cache hits {hits_before:.0f} -> {hits_after:.0f}"
    )
    assert kept == 3  # the entries of the movies written during the outage came back
    assert [r for r in outage_reads + during if r] == []
    assert [s.status_code for s in searches] == [200, 200]
    assert all(s.json()["total_results"] == 6 for s in searches)
    for answer in readiness:  # degraded, still routed to: every request is served
        assert answer.status_code == 200
        assert answer.json()["status"] == "degraded"
        assert answer.json()["checks"]["cache"] != "ok"
    stale = [r for r in after if r]
    assert stale == [], "\n".join(stale)  # no stale read on any process
    assert ready
    assert caught_up.reached, caught_up.differences()


async def write_during_outage(
    client: httpx.AsyncClient, a: ApiProcess, b: ApiProcess, ids: list[str]
) -> Expected:
    """Writes through both processes while Redis is down; returns what each id must read as:
    (version, votes), or None for a deleted movie."""
    url_a, url_b = f"{a.url}/movies", f"{b.url}/movies"
    patched = await client.patch(f"{url_a}/{ids[0]}", json={"votes": 7}, headers=bearer())
    other = await client.patch(f"{url_b}/{ids[2]}", json={"votes": 8}, headers=bearer())
    deleted = await client.delete(f"{url_a}/{ids[1]}", headers=bearer())
    added = await client.post(
        url_b, json={"title": "Added while down", "votes": 9}, headers=bearer()
    )
    statuses = [patched.status_code, other.status_code, deleted.status_code, added.status_code]
    assert statuses == [200, 200, 204, 201], [patched.text, other.text, deleted.text, added.text]
    return {ids[0]: (2, 7), ids[2]: (2, 8), ids[1]: None, added.json()["id"]: (1, 9)}


async def read_all(
    client: httpx.AsyncClient,
    apis: list[ApiProcess],
    expected: Expected,
) -> list[str]:
    """Read every id on every process: one entry per read, empty when it read as expected."""
    found = []
    for api in apis:
        for movie_id, want in expected.items():
            answer = await client.get(f"{api.url}/movies/{movie_id}")
            body: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            seen = (body["version"], body["votes"]) if body else None
            ok = seen == want and answer.status_code == (200 if want else 404)
            wrong = f"{api.url} {movie_id}: {answer.status_code}, (version, votes) {seen}"
            found.append("" if ok else f"{wrong}, expected {want}")
    return found


async def entries_of(url: str, prefix: str, ids: list[str]) -> int:
    """How many of these movies have a cache entry in Redis (a client of the test's own)."""
    client = Redis.from_url(url)
    try:
        return int(await client.exists(*(prefix + movie_key(i) for i in ids)))
    finally:
        await client.aclose()


async def wait_ready(client: httpx.AsyncClient, apis: list[ApiProcess]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answers = [await client.get(f"{api.url}/readyz") for api in apis]
        if all(
            answer.status_code == 200 and answer.json()["status"] == "ready" for answer in answers
        ):
            return True
        await asyncio.sleep(0.2)
    return False


async def wait_for_more_hits(
    client: httpx.AsyncClient, apis: list[ApiProcess], than: float
) -> float:
    """Cache hits resume once Redis is back (deadline 30 s); returns the new total."""
    deadline = time.monotonic() + 30
    while (hits := sum([await cache_hits(client, api) for api in apis])) <= than:
        if time.monotonic() > deadline:
            break
        for api in apis:
            await client.get(f"{api.url}/movies?q=cached")
        await asyncio.sleep(0.1)
    return hits


async def test_a_paused_dynamodb_is_a_503_and_leaves_no_write_half_done(
    tmp_path: Path, own_moto: MotoServer, opensearch_url: str, redis_url: str
) -> None:
    async with deployed(tmp_path, own_moto.url, opensearch_url, redis_url) as deployment:
        with running(deployment.api(tmp_path / "api")) as (api,):
            async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as client:
                pool = [(await add(client, api, title=f"Pool movie {n}"))["id"] for n in range(40)]
                cached, uncached = pool[0], pool[1]
                assert (await client.get(f"{api.url}/movies/{cached}")).status_code == 200
                plan = WritePlan(client, api, pool[2:])
                for _ in range(9):
                    await plan.send()
                outage = await plan.through_pause(own_moto, cached, uncached)
                for _ in range(15):
                    await plan.send()
                ready = await wait_ready(client, [api])
                async with store_of(deployment) as store:
                    caught_up = await converge(client, [api], store)
    print(f"\ndynamodb paused: {outage.summary()}; {plan.summary()}")
    print(
        f"{landed(plan.outcomes, caught_up.store)} writes answered 503 took effect (wholly); "
        f"index equal to the store {caught_up.seconds:.1f}s after the writes"
    )
    readiness, uncached, cached = outage.readiness, outage.uncached_read, outage.cached_read
    assert readiness is not None
    assert readiness.status_code == 503
    assert "store" in readiness.json()["detail"]
    assert readiness.json()["checks"]["store"] != "ok"
    assert uncached is not None  # answered within the client's patience
    assert is_unavailable(uncached), uncached.text
    assert cached is not None
    assert cached.status_code == 200  # served by Redis without the store
    assert outage.unavailable_writes > 0
    assert plan.unexpected() == []  # only 2xx, and 503s with Retry-After and a problem body
    assert ready
    assert caught_up.reached, caught_up.differences()
    assert audit(plan.outcomes, caught_up.store) == []
