"""Search, suggestions and genres through HTTP, and the query-string rules on every endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest

from tests.http.conftest import assert_problem, create

pytestmark = pytest.mark.anyio


async def eventually(check: Callable[[], Awaitable[bool]], deadline: float = 2.0) -> None:
    """The contract allows a second before search shows a write; poll for up to two."""
    with anyio.move_on_after(deadline):
        while not await check():  # noqa: ASYNC110 - polling the API is the point
            await anyio.sleep(0.05)
        return
    raise AssertionError(f"not true within {deadline}s")


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/movies", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


async def test_a_new_movie_is_found_with_a_typo(client: httpx.AsyncClient) -> None:
    movie = await create(client)

    async def found() -> bool:
        results = (await search(client, q="godfater"))["results"]
        return [r["id"] for r in results] == [movie["id"]]

    await eventually(found)


async def test_list_pages_and_cursor(client: httpx.AsyncClient) -> None:
    for votes in range(5):
        await create(client, title=f"Film {votes}", votes=votes)

    async def all_indexed() -> bool:
        return bool((await search(client))["total_results"] == 5)

    await eventually(all_indexed)
    first = await search(client, per_page=2)
    second = await search(client, per_page=2, cursor=first["next_cursor"])
    page_two = await search(client, per_page=2, page=2)

    assert first["page"] == 1
    assert first["total_pages"] == 3
    assert [r["votes"] for r in first["results"]] == [4, 3]
    assert second["page"] == 2
    assert second["results"] == page_two["results"]
    assert [r["votes"] for r in second["results"]] == [2, 1]
    assert (await search(client, page=9))["results"] == []


async def test_facets_count_the_whole_filtered_result(client: httpx.AsyncClient) -> None:
    await create(client, title="A", genres=["Drama"], year=1994, rating=8.5)
    await create(client, title="B", genres=["Drama", "Crime"], year=1999, rating=9.0)
    await create(client, title="C", genres=["Comedy"], year=2004, rating=6.0)

    async def indexed() -> bool:
        return bool((await search(client))["total_results"] == 3)

    await eventually(indexed)
    body = await search(client, genre="drama", facets="genres,decade,rating", per_page=1)

    assert body["total_results"] == 2
    assert len(body["results"]) == 1
    assert {(b["value"], b["count"]) for b in body["facets"]["genres"]} == {
        ("Drama", 2),
        ("Crime", 1),
    }
    assert body["facets"]["decade"] == [{"value": 1990, "count": 2}]
    assert {(b["value"], b["count"]) for b in body["facets"]["rating"]} == {
        ("8-9", 1),
        ("9-10", 1),
    }
    assert "facets" not in await search(client)


async def test_suggest_and_genres(client: httpx.AsyncClient) -> None:
    movie = await create(client)

    async def suggested() -> bool:
        response = await client.get("/movies/suggest", params={"q": "godf", "limit": 5})
        return bool(response.json()["suggestions"])

    await eventually(suggested)
    response = await client.get("/movies/suggest", params={"q": "godf"})
    assert response.json() == {
        "suggestions": [{"id": movie["id"], "title": "The Godfather", "year": 1972}]
    }
    genres = (await client.get("/genres")).json()["genres"]
    assert {(g["name"], g["count"]) for g in genres} == {("Crime", 1), ("Drama", 1)}


@pytest.mark.parametrize(
    "path",
    [
        "/movies",
        "/movies/suggest",
        "/genres",
        "/healthz",
        "/readyz",
        "/metrics",
        "/movies/0000000000000000",
    ],
)
async def test_unknown_query_parameters_are_422_everywhere(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, params={"colour": "red"})

    assert assert_problem(response, 422)["errors"] == [
        {"field": "colour", "message": response.json()["errors"][0]["message"]}
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "nineteen"}, "year"),
        ({"per_page": "101"}, "per_page"),
        ({"year_from": "2000", "year_to": "1990"}, "year_from"),
        ({"rating_min": "9", "rating_max": "2"}, "rating_min"),
        ({"sort": "budget"}, "sort"),
        ({"facets": "colour"}, "facets"),
        ({"page": "1", "per_page": "2", "q": "x", "highlight": "maybe"}, "highlight"),
    ],
)
async def test_bad_search_values_are_422(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/movies", params=params)

    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == [field]


async def test_bad_suggest_limit_is_422(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/movies/suggest", params={"limit": "21"}), 422)


async def test_deep_pages_and_foreign_cursors_are_400(client: httpx.AsyncClient) -> None:
    deep = await client.get("/movies", params={"page": "101", "per_page": "100"})
    damaged = await client.get("/movies", params={"cursor": "not-a-cursor"})

    assert "cursor" in assert_problem(deep, 400)["detail"]
    assert_problem(damaged, 400)
