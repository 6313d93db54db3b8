"""Hostile input through HTTP, on every profile: damaged cursors, repeated member names,
control characters, digits that are not ASCII and floods of parameters are small 4xx
problems, never a 500 and never stored."""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
import httpx
import pytest

from filmflare.domain.query_params import MAX_PARAMS, QUERY_STRING
from filmflare.entrypoints.http.problems import (
    MAX_ERRORS,
    MAX_FIELD_CHARS,
    MAX_PROBLEM_BYTES,
    MORE_ERRORS,
)
from tests.http.conftest import MOVIE, assert_problem, bearer, create

pytestmark = pytest.mark.anyio


def token(payload: object) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decoded(cursor: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor + "=="))
    return payload


async def searched(client: httpx.AsyncClient, total: int, **params: Any) -> dict[str, Any]:
    """The search's answer once it counts ``total`` results (search lags writes ≤ 1 s)."""
    with anyio.move_on_after(3):
        while True:
            response = await client.get("/movies", params=params)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["total_results"] == total:
                return body
            await anyio.sleep(0.05)
    raise AssertionError(f"the search did not count {total} results: {body}")


# Cursors


async def test_a_cursor_past_64_bits_or_otherwise_damaged_is_400(
    client: httpx.AsyncClient,
) -> None:
    for votes in range(3):
        await create(client, title=f"Heat {votes}", votes=votes)
    by_votes = decoded((await searched(client, 3, per_page=1))["next_cursor"])
    by_score = decoded((await searched(client, 3, per_page=1, q="heat"))["next_cursor"])
    damaged: list[tuple[dict[str, Any], object]] = [
        ({}, {**by_votes, "n": 2**64}),
        ({}, {**by_votes, "n": 2**63}),
        ({}, {**by_votes, "p": [2**64, by_votes["p"][-1]]}),
        ({}, {**by_votes, "p": [-(2**63) - 1, by_votes["p"][-1]]}),
        ({}, {**by_votes, "p": [by_votes["p"][0], "x"] * 5}),
        ({"q": "heat"}, {**by_score, "p": [2**64]}),
        ({"q": "heat"}, {**by_score, "n": 2**64}),
        ({"q": "heat"}, json.dumps(by_score).replace("]", ", NaN]").encode()),
        ({"q": "heat"}, b"[" * 5000 + b"]" * 5000),
    ]
    for params, payload in damaged:
        response = await client.get(
            "/movies", params={**params, "per_page": 1, "cursor": token(payload)}
        )
        problem = assert_problem(response, 400)
        assert problem["detail"] == "cursor is not valid; start again without it"


async def test_a_long_cursor_an_engine_made_is_taken(
    client: httpx.AsyncClient, profile: str
) -> None:
    # The embedded engine's title sort cursor holds the whole folded title: ~900 characters
    # here; OpenSearch and Elasticsearch keep a shorter sort key.
    titles = ["Á" * 280 + str(n) for n in range(3)]
    for title in titles:
        await create(client, title=title)
    first = await searched(client, 3, sort="title", per_page=1)
    if profile.startswith("embedded"):
        assert len(first["next_cursor"]) > 500
    params = {"sort": "title", "per_page": 1, "cursor": first["next_cursor"]}
    second = await client.get("/movies", params=params)
    assert second.status_code == 200, second.text
    assert [r["title"] for r in second.json()["results"]] == titles[1:2]


# Repeated member names


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (b'{"title": "Heat", "title": "Ronin"}', "title"),
        (b'{"title": "Heat", "votes": 1, "\\u0076otes": 2}', "votes"),
        (b'{"title": "Heat", "cast": [{"name": 1, "name": 2}]}', "name"),
        (b'{"title": "Heat", "x": {"y": {"z": 1, "z": 2}}}', "z"),
    ],
)
async def test_a_repeated_member_name_is_400_naming_it(
    client: httpx.AsyncClient, body: bytes, name: str
) -> None:
    headers = bearer() | {"Content-Type": "application/json"}
    movie = await create(client, title="Existing")
    for method, path in [
        ("POST", "/movies"),
        ("PUT", f"/movies/{movie['id']}"),
        ("PATCH", f"/movies/{movie['id']}"),
    ]:
        response = await client.request(method, path, content=body, headers=headers)
        detail = assert_problem(response, 400)["detail"]
        assert f'member "{name}" appears more than once' in detail
    assert (await client.get(f"/movies/{movie['id']}")).json()["version"] == 1


async def test_orjson_s_strictness_is_kept(client: httpx.AsyncClient) -> None:
    headers = bearer() | {"Content-Type": "application/json"}
    for body in (b'{"title": "Heat", "rating": NaN}', b'{"title": "\\ud800"}'):
        response = await client.post("/movies", content=body, headers=headers)
        assert "not valid JSON" in assert_problem(response, 400)["detail"]


# Control characters


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": "Heat\x00"}, "title"),
        ({"original_title": "\x07"}, "original_title"),
        ({"overview": "A heist\x1b[2J"}, "overview"),
        ({"overview": "Windows-1252 read as Latin-1: \x93quoted\x94"}, "overview"),
        ({"certification": "R\x7f"}, "certification"),
        ({"cast": ["Al Pacino", "Robert\x00De Niro"]}, "cast[1]"),
        ({"genres": ["Crime\x85"]}, "genres[0]"),
        ({"directors": ["\x0bMichael Mann"]}, "directors[0]"),
    ],
)
async def test_a_control_character_is_422_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient, fields: dict[str, Any], named: str
) -> None:
    response = await client.post("/movies", json=MOVIE | fields, headers=bearer())

    errors = assert_problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == [named]
    assert "control characters" in errors[0]["message"]
    # Search shows writes in order: once a later movie is found, an earlier one would be too.
    await create(client, title="Later")
    assert [r["title"] for r in (await searched(client, 1))["results"]] == ["Later"]


async def test_tab_and_line_breaks_are_text(client: httpx.AsyncClient) -> None:
    movie = await create(client, overview="One\tTwo\r\nThree\nFour")
    assert movie["overview"] == "One\tTwo\r\nThree\nFour"


async def test_a_patch_cannot_bring_a_control_character_in(client: httpx.AsyncClient) -> None:
    movie = await create(client)
    response = await client.patch(
        f"/movies/{movie['id']}", json={"title": "Heat\x00"}, headers=bearer()
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["title"]
    assert (await client.get(f"/movies/{movie['id']}")).json()["title"] == MOVIE["title"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/movies", "q"),
        ("/movies", "title"),
        ("/movies", "director"),
        ("/movies", "cast"),
        ("/movies", "genre"),
        ("/movies", "language"),
        ("/movies", "certification"),
        ("/movies", "cursor"),
        ("/movies/suggest", "q"),
    ],
)
async def test_a_control_character_in_a_text_parameter_is_422(
    client: httpx.AsyncClient, path: str, name: str
) -> None:
    for value in ("go\x00d", "go\x1fd", "go\x9bd"):
        response = await client.get(path, params={name: value})
        errors = assert_problem(response, 422)["errors"]
        assert [e["field"] for e in errors] == [name]


# Integers in a query string are ASCII


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/movies", "year", "１９９５"),
        ("/movies", "year", "١٩٩٥"),
        ("/movies", "year_from", "1_995"),
        ("/movies", "per_page", "１０"),
        ("/movies", "page", "²"),
        ("/movies", "votes_min", "٣"),
        ("/movies", "rating_min", "٧.٥"),
        ("/movies", "rating_max", "1_0"),
        ("/movies/suggest", "limit", "５"),
    ],
)
async def test_digits_that_are_not_ascii_are_422(
    client: httpx.AsyncClient, path: str, name: str, value: str
) -> None:
    errors = assert_problem(await client.get(path, params={name: value}), 422)["errors"]
    assert [e["field"] for e in errors] == [name]
    assert "ASCII digits" in errors[0]["message"]


# Bounded problems


async def test_ten_thousand_parameters_are_one_short_422(client: httpx.AsyncClient) -> None:
    query = "&".join(["a=1"] * 10_000)
    for path in ("/movies", "/movies/suggest", "/genres", "/movies/0000000000000000"):
        response = await client.get(f"{path}?{query}")
        errors = assert_problem(response, 422)["errors"]
        assert errors == [
            {"field": QUERY_STRING, "message": f"may hold at most {MAX_PARAMS} parameters"}
        ]
        assert len(response.content) < 1024


async def test_errors_are_listed_up_to_the_cap_then_counted(client: httpx.AsyncClient) -> None:
    query = "&".join(f"p{n}=1" for n in range(MAX_PARAMS))
    response = await client.get(f"/genres?{query}")
    errors = assert_problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == [f"p{n}" for n in range(MAX_ERRORS)] + [MORE_ERRORS]
    assert errors[-1]["message"] == f"{MAX_PARAMS - MAX_ERRORS} more errors were left out"


async def test_a_body_of_many_unknown_fields_gets_a_short_problem(
    client: httpx.AsyncClient,
) -> None:
    body = {"title": "Heat"} | {f"field{n}": n for n in range(20_000)}
    response = await client.post("/movies", json=body, headers=bearer())
    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == MAX_ERRORS + 1
    assert problem["errors"][-1]["message"] == f"{20_000 - MAX_ERRORS} more errors were left out"
    assert len(response.content) < MAX_PROBLEM_BYTES


async def test_a_huge_field_name_is_cut(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/movies", json={"title": "Heat", "x" * 500_000: 1}, headers=bearer()
    )
    (error,) = assert_problem(response, 422)["errors"]
    assert len(error["field"]) == MAX_FIELD_CHARS
    assert error["field"].endswith("…")
    assert len(response.content) < 4096


async def test_field_names_of_escaped_characters_still_fit_the_byte_bound(
    client: httpx.AsyncClient,
) -> None:
    # Each \x01 is written as \u0001: six bytes a character.
    body = {"title": "Heat"} | {"\x01" * 200 + str(n): n for n in range(50)}
    response = await client.post("/movies", json=body, headers=bearer())
    problem = assert_problem(response, 422)
    assert len(response.content) <= MAX_PROBLEM_BYTES
    assert problem["errors"] == [{"field": MORE_ERRORS, "message": "50 errors were left out"}]
