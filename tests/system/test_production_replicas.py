"""Three API processes on one DynamoDB (moto), one OpenSearch and one Redis, each running its
own indexer, as three pods of a deployment do.

They must behave as one service: a write through one is read at once through the others,
their searches agree once the change is indexed, conditional writes racing through different
processes have one winner, and three indexers projecting one feed leave the index equal to
the store (no version goes back, no deleted movie comes back). Bounded traffic to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.http.conftest import bearer
from tests.infra_moto import moto_url
from tests.infra_redis import redis_url
from tests.infra_search import opensearch_url
from tests.system.api_process import ApiProcess, running
from tests.system.production import (
    Deployment,
    add,
    converge,
    deployed,
    listing,
    store_of,
)

__all__ = ["moto_url", "opensearch_url", "redis_url"]  # fixtures, used by name
pytestmark = [pytest.mark.infra, pytest.mark.slow, pytest.mark.anyio]
ROUNDS = 20  # of three If-Match PATCHes at once, one per process: 60 writes
RACES = 6  # a DELETE through one process against a PATCH through another


@pytest.fixture
async def deployment(
    tmp_path: Path, moto_url: str, opensearch_url: str, redis_url: str
) -> AsyncIterator[Deployment]:
    async with deployed(tmp_path, moto_url, opensearch_url, redis_url) as deployment:
        yield deployment


@pytest.fixture
def replicas(tmp_path: Path, deployment: Deployment) -> tuple[ApiProcess, ...]:
    return tuple(deployment.api(tmp_path / name) for name in ("a", "b", "c"))


async def test_three_replicas_act_as_one_service(
    deployment: Deployment, replicas: tuple[ApiProcess, ...]
) -> None:
    with running(*replicas) as apis:
        async with httpx.AsyncClient(timeout=30) as client:
            stale = await read_your_writes(client, apis)
            async with store_of(deployment) as store:
                agreed = await converge(client, apis, store)
                searches = [await listing(client, api, q="replica") for api in apis]

                movie = await add(client, apis[0], title="Contested movie", votes=0)
                outcomes = [await if_match_round(client, apis, movie["id"]) for _ in range(ROUNDS)]
                final = await client.get(f"{apis[1].url}/movies/{movie['id']}")

                doomed = [
                    (await add(client, apis[n % 3], title=f"Doomed {n}"))["id"]
                    for n in range(RACES)
                ]
                races = [
                    await delete_against_patch(client, apis, n, i) for n, i in enumerate(doomed)
                ]
                caught_up = await converge(client, apis, store)
    print(
        f"\nreplicas: {len(stale)} stale of {6 * 2 * 2} cross-process reads; searches agreed "
        f"after {agreed.seconds:.1f}s; {ROUNDS} If-Match rounds of 3 ({3 * ROUNDS} writes), "
        f"winners per process {[sum(w == n for w, _ in outcomes) for n in range(3)]}; "
        f"{RACES} DELETE/PATCH races {races}; index equal to the store after "
        f"{caught_up.seconds:.1f}s"
    )
    assert stale == []
    assert agreed.reached, agreed.differences()
    assert searches[0].total == len(searches[0].versions) == 6
    assert searches[1] == searches[0] == searches[2]
    for winner, statuses in outcomes:
        assert sorted(statuses) == [200, 412, 412], statuses
        assert winner >= 0
    assert final.json()["version"] == 1 + ROUNDS
    assert final.headers["etag"] == f'"{1 + ROUNDS}"'
    assert caught_up.reached, caught_up.differences()
    assert not set(doomed) & set(caught_up.store.movies)  # every race ended deleted
    for seen in caught_up.listings:
        assert not set(doomed) & set(seen.versions)  # and no index brought one back


async def read_your_writes(client: httpx.AsyncClient, apis: tuple[ApiProcess, ...]) -> list[str]:
    """Six writes, each through one process, read at once through the other two: first a POST,
    then a PATCH of the movie the readers have just read (and so cached)."""
    stale = []
    for n in range(6):
        writer, *readers = apis[n % 3 :] + apis[: n % 3]
        movie = await add(client, writer, title=f"Replica movie {n}", votes=n)
        path = f"/movies/{movie['id']}"
        for reader in readers:
            seen = await client.get(reader.url + path)
            if seen.status_code != 200 or seen.headers["etag"] != '"1"':
                stale.append(f"{reader.url}{path} after POST: {seen.status_code}")
        patched = await client.patch(writer.url + path, json={"votes": 100 + n}, headers=bearer())
        assert patched.status_code == 200, patched.text
        for reader in readers:
            seen = await client.get(reader.url + path)
            if seen.status_code != 200 or seen.json()["votes"] != 100 + n:
                stale.append(f"{reader.url}{path} after PATCH: {seen.text}")
    return stale


async def if_match_round(
    client: httpx.AsyncClient, apis: tuple[ApiProcess, ...], movie_id: str
) -> tuple[int, list[int]]:
    """Three PATCHes of one version at once, one through each process: (the winner's
    index, or -1 if none, and every status)."""
    current = await client.get(f"{apis[0].url}/movies/{movie_id}")
    etag = current.headers["etag"]
    version = current.json()["version"]

    async def patch(n: int) -> httpx.Response:
        headers = bearer() | {"If-Match": etag}
        url = f"{apis[n].url}/movies/{movie_id}"
        return await client.patch(url, json={"votes": n}, headers=headers)

    answers = await asyncio.gather(*(patch(n) for n in range(3)))
    winners = [n for n, a in enumerate(answers) if a.status_code == 200]
    for n in winners:
        assert answers[n].json()["version"] == version + 1
    return (winners[0] if len(winners) == 1 else -1), [a.status_code for a in answers]


async def delete_against_patch(
    client: httpx.AsyncClient, apis: tuple[ApiProcess, ...], n: int, movie_id: str
) -> str:
    """A DELETE through one process and an unconditional PATCH through another, at once:
    whichever lands first, the movie ends deleted (a PATCH after the DELETE is a 404)."""
    deleter, patcher = apis[n % 3], apis[(n + 1) % 3]
    deleted, patched = await asyncio.gather(
        client.delete(f"{deleter.url}/movies/{movie_id}", headers=bearer()),
        client.patch(f"{patcher.url}/movies/{movie_id}", json={"votes": 1}, headers=bearer()),
    )
    assert deleted.status_code == 204, deleted.text
    assert patched.status_code in (200, 404), patched.text
    return f"{deleted.status_code}/{patched.status_code}"
