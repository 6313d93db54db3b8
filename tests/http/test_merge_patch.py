"""PATCH is a JSON Merge Patch (RFC 7396) with the contract's rules for null and dates."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.http.conftest import assert_problem, create

pytestmark = pytest.mark.anyio
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


async def patch(
    client: httpx.AsyncClient, movie_id: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    return await client.patch(
        f"/movies/{movie_id}", content=orjson.dumps(body), headers=MERGE_PATCH | headers
    )


async def test_patch_changes_only_the_given_fields(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await patch(client, movie["id"], {"rating": 9.3, "votes": 5}, writer)

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    patched: dict[str, Any] = response.json()
    assert patched["rating"] == 9.3
    assert patched["votes"] == 5
    unchanged = {k: v for k, v in movie.items() if k not in ("rating", "votes", "version")}
    assert {k: patched[k] for k in unchanged if k != "updated_at"} == {
        k: v for k, v in unchanged.items() if k != "updated_at"
    }


async def test_null_empties_a_list_and_clears_a_field(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await patch(client, movie["id"], {"genres": None, "overview": None}, writer)

    assert response.json()["genres"] == []
    assert response.json()["overview"] is None


async def test_null_title_is_422(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    movie = await create(client)

    response = await patch(client, movie["id"], {"title": None}, writer)

    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["title"]


async def test_a_new_release_date_alone_re_derives_the_year(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await patch(client, movie["id"], {"release_date": "1974-12-20"}, writer)

    assert response.json()["year"] == 1974
    assert response.json()["release_date"] == "1974-12-20"


async def test_unknown_field_is_422(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    movie = await create(client)

    response = await patch(client, movie["id"], {"budget": 6_000_000}, writer)

    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["budget"]


async def test_a_patch_that_is_not_an_object_is_422(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    assert_problem(await patch(client, movie["id"], ["title"], writer), 422)


async def test_application_json_is_accepted_too(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await client.patch(f"/movies/{movie['id']}", json={"votes": 1}, headers=writer)

    assert response.status_code == 200
    assert response.json()["votes"] == 1


async def test_patch_honours_if_match(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    movie = await create(client)

    stale = await patch(client, movie["id"], {"votes": 1}, writer | {"If-Match": '"9"'})
    fresh = await patch(client, movie["id"], {"votes": 2}, writer | {"If-Match": '"1"'})

    assert_problem(stale, 412)
    assert fresh.status_code == 200
    assert fresh.json()["votes"] == 2


async def test_patch_of_a_missing_movie_is_404(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    assert_problem(await patch(client, "0000000000000000", {"votes": 1}, writer), 404)
