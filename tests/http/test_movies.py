"""Create, read, replace and delete through HTTP, with entity tags and preconditions."""

from __future__ import annotations

import httpx
import pytest

from tests.http.conftest import MOVIE, assert_problem, create

pytestmark = pytest.mark.anyio


async def test_post_answers_201_with_location_etag_and_the_movie(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    response = await client.post("/movies", json=MOVIE, headers=writer)

    assert response.status_code == 201
    movie = response.json()
    assert response.headers["location"] == f"/movies/{movie['id']}"
    assert response.headers["etag"] == '"1"'
    assert response.headers["content-type"] == "application/json"
    assert movie["version"] == 1
    assert movie["title"] == "The Godfather"
    assert movie["created_at"] == movie["updated_at"]
    assert movie["release_date"] is None


async def test_post_applies_the_domain_rules(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    body = {
        "title": "  Amélie ",
        "release_date": "2001-04-25",
        "genres": ["Comedy", "comedy", "Romance"],
        "language": "FR",
    }
    response = await client.post("/movies", json=body, headers=writer)

    movie = response.json()
    assert movie["title"] == "Amélie"
    assert movie["year"] == 2001
    assert movie["genres"] == ["Comedy", "Romance"]
    assert movie["language"] == "fr"
    assert movie["directors"] == []
    assert movie["rating"] is None


async def test_get_returns_the_movie_with_its_etag(client: httpx.AsyncClient) -> None:
    movie = await create(client)

    response = await client.get(f"/movies/{movie['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == movie


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', '"7", "1"', "*", '"x", W/"1"', '"2",,"1"'])
async def test_if_none_match_that_matches_is_304_without_body(
    client: httpx.AsyncClient, header: str
) -> None:
    movie = await create(client)

    response = await client.get(f"/movies/{movie['id']}", headers={"If-None-Match": header})

    assert response.status_code == 304
    assert response.headers["etag"] == '"1"'
    assert response.content == b""


@pytest.mark.parametrize("header", ['"2"', 'W/"2"', '"abc"', '"01"', ""])
async def test_if_none_match_that_differs_is_200(client: httpx.AsyncClient, header: str) -> None:
    movie = await create(client)

    response = await client.get(f"/movies/{movie['id']}", headers={"If-None-Match": header})

    assert response.status_code == 200
    assert response.json()["id"] == movie["id"]


@pytest.mark.parametrize("header", ["1", '"1', "W/1", '"1" "2"', "**"])
async def test_malformed_if_none_match_is_400(client: httpx.AsyncClient, header: str) -> None:
    movie = await create(client)

    response = await client.get(f"/movies/{movie['id']}", headers={"If-None-Match": header})

    assert "entity tags" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    "path", ["/movies/0000000000000000", "/movies/nope", "/movies/" + "z" * 200, "/movies/A%20B"]
)
async def test_unknown_or_impossible_id_is_404(client: httpx.AsyncClient, path: str) -> None:
    assert_problem(await client.get(path), 404)


async def test_put_replaces_every_field_and_bumps_the_version(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await client.put(
        f"/movies/{movie['id']}", json={"title": "The Godfather Part II"}, headers=writer
    )

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    replaced = response.json()
    assert replaced["title"] == "The Godfather Part II"
    assert replaced["version"] == 2
    assert replaced["genres"] == []
    assert replaced["year"] is None
    assert replaced["created_at"] == movie["created_at"]
    assert (await client.get(f"/movies/{movie['id']}")).json() == replaced


async def test_an_external_id_held_by_another_movie_is_409_on_every_write(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    holder = await create(client, external_id="imdb:tt0068646")
    other = await create(client, title="Heat", external_id=" tmdb:949 ")
    assert other["external_id"] == "tmdb:949"  # trimmed like every string
    path = f"/movies/{other['id']}"

    posted = await client.post(
        "/movies", json={"title": "X", "external_id": "imdb:tt0068646"}, headers=writer
    )
    put = await client.put(
        path, json={"title": "Heat", "external_id": "imdb:tt0068646"}, headers=writer
    )
    merge = {**writer, "content-type": "application/merge-patch+json"}
    patched = await client.patch(path, json={"external_id": "imdb:tt0068646"}, headers=merge)

    for response in (posted, put, patched):
        problem = assert_problem(response, 409)
        assert problem["type"].endswith("/conflict")
        assert holder["id"] in problem["detail"]
    assert (await client.get(path)).json() == other
    moved = await client.patch(path, json={"external_id": "imdb:tt0071562"}, headers=merge)
    assert moved.json()["external_id"] == "imdb:tt0071562"
    retaken = await client.post(
        "/movies", json={"title": "Y", "external_id": "tmdb:949"}, headers=writer
    )
    assert retaken.status_code == 201


@pytest.mark.parametrize("value", ["imdb tt1", "é", "x" * 101, 7, ["a"]])
async def test_a_malformed_external_id_is_422(
    client: httpx.AsyncClient, writer: dict[str, str], value: object
) -> None:
    response = await client.post(
        "/movies", json={"title": "X", "external_id": value}, headers=writer
    )

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["external_id"]


async def test_put_never_creates(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    response = await client.put("/movies/0000000000000000", json=MOVIE, headers=writer)

    assert_problem(response, 404)


@pytest.mark.parametrize("header", ['"1"', '"5", "1"', "*", 'W/"3", "1"'])
async def test_put_with_a_matching_if_match_applies(
    client: httpx.AsyncClient, writer: dict[str, str], header: str
) -> None:
    movie = await create(client)

    response = await client.put(
        f"/movies/{movie['id']}", json=MOVIE, headers=writer | {"If-Match": header}
    )

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'


@pytest.mark.parametrize("header", ['"2"', 'W/"1"', '"abc"', '"01"', ""])
async def test_put_with_a_stale_or_weak_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, writer: dict[str, str], header: str
) -> None:
    movie = await create(client)

    response = await client.put(
        f"/movies/{movie['id']}", json={"title": "Changed"}, headers=writer | {"If-Match": header}
    )

    assert_problem(response, 412)
    assert (await client.get(f"/movies/{movie['id']}")).json() == movie


async def test_malformed_if_match_is_400(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    movie = await create(client)

    response = await client.put(
        f"/movies/{movie['id']}", json=MOVIE, headers=writer | {"If-Match": "1"}
    )

    assert "If-Match" in assert_problem(response, 400)["detail"]


async def test_delete_is_204_then_the_movie_is_gone(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)

    response = await client.delete(f"/movies/{movie['id']}", headers=writer)

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"/movies/{movie['id']}"), 404)
    assert_problem(await client.delete(f"/movies/{movie['id']}", headers=writer), 404)


async def test_delete_honours_if_match(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    movie = await create(client)
    path = f"/movies/{movie['id']}"

    assert_problem(await client.delete(path, headers=writer | {"If-Match": '"2"'}), 412)
    assert (await client.get(path)).status_code == 200
    assert (await client.delete(path, headers=writer | {"If-Match": '"1"'})).status_code == 204


async def test_validation_failure_names_every_field(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    body = {"title": "", "year": 1500, "rating": 11, "id": "mine", "colour": "red"}

    response = await client.post("/movies", json=body, headers=writer)

    problem = assert_problem(response, 422)
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"title", "year", "rating", "id", "colour"}
    assert all(error["message"] for error in problem["errors"])


async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient) -> None:
    movie = await create(client)

    head = await client.head(f"/movies/{movie['id']}")
    missing = await client.head("/movies/0000000000000000")

    assert head.status_code == 200
    assert head.headers["etag"] == '"1"'
    assert head.content == b""
    assert missing.status_code == 404
