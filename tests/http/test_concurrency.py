"""Concurrent writes: If-Match lets exactly one through; unconditional patches all land."""

from __future__ import annotations

import anyio
import httpx
import pytest

from tests.http.conftest import MOVIE, create

pytestmark = pytest.mark.anyio
WRITERS = 20


async def test_concurrent_puts_with_the_same_if_match_let_exactly_one_through(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)
    statuses: list[int] = []

    async def put(n: int) -> None:
        response = await client.put(
            f"/movies/{movie['id']}",
            json=MOVIE | {"title": f"Take {n}"},
            headers=writer | {"If-Match": '"1"'},
        )
        statuses.append(response.status_code)

    async with anyio.create_task_group() as group:
        for n in range(WRITERS):
            group.start_soon(put, n)

    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    assert (await client.get(f"/movies/{movie['id']}")).json()["version"] == 2


async def test_concurrent_patches_without_if_match_all_apply(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client, cast=[])
    statuses: list[int] = []

    async def patch(n: int) -> None:
        response = await client.patch(f"/movies/{movie['id']}", json={"votes": n}, headers=writer)
        statuses.append(response.status_code)

    async with anyio.create_task_group() as group:
        for n in range(WRITERS):
            group.start_soon(patch, n)

    assert statuses == [200] * WRITERS
    final = await client.get(f"/movies/{movie['id']}")
    assert final.json()["version"] == WRITERS + 1
    assert final.headers["etag"] == f'"{WRITERS + 1}"'
