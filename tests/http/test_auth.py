"""Writes need a bearer JWT that grants writing; reads are public."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from tests.http.conftest import MOVIE, assert_problem, bearer, create, mint

pytestmark = pytest.mark.anyio


def _unsigned(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_missing_token_is_401_with_a_bare_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/movies", json=MOVIE)

    assert_problem(response, 401)
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    assert "error=" not in challenge


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not a token",
        "Bearer abc.def.ghi",
        f"Bearer {mint(secret='another-secret-that-is-also-long-enough-0123456789')}",
        f"Bearer {mint(expires_in=-3600)}",
        f"Bearer {mint(expires_in=None)}",
        "Bearer " + _unsigned({"sub": "x", "scope": "movies:write", "exp": 4_102_444_800}),
    ],
    ids=["basic", "empty", "spaces", "garbage", "bad-signature", "expired", "no-exp", "alg-none"],
)
async def test_unusable_token_is_401_invalid_token(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post("/movies", json=MOVIE, headers={"Authorization": authorization})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_token_without_the_grant_is_403(client: httpx.AsyncClient) -> None:
    response = await client.post("/movies", json=MOVIE, headers=bearer(mint("movies:read")))

    assert_problem(response, 403)


@pytest.mark.parametrize(
    "token",
    [
        mint("openid movies:write"),
        mint(None, scp=["movies:write"]),
        mint(None, roles=["editor"]),
        mint(None, roles=["admin"]),
    ],
    ids=["scope", "scp", "editor", "admin"],
)
async def test_any_grant_allows_writing(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post("/movies", json=MOVIE, headers=bearer(token))

    assert response.status_code == 201


async def test_auth_is_checked_before_the_body(client: httpx.AsyncClient) -> None:
    no_token = await client.post("/movies", content=b"{not json", headers={"X": "y"})
    no_grant = await client.post("/movies", json={"title": ""}, headers=bearer(mint("movies:read")))

    assert_problem(no_token, 401)
    assert_problem(no_grant, 403)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_every_write_needs_a_token(client: httpx.AsyncClient, method: str) -> None:
    movie = await create(client)

    response = await client.request(method, f"/movies/{movie['id']}", json={"title": "X"})

    assert_problem(response, 401)
    assert (await client.get(f"/movies/{movie['id']}")).json() == movie


async def test_reads_need_no_token(client: httpx.AsyncClient) -> None:
    movie = await create(client)

    assert (await client.get(f"/movies/{movie['id']}")).status_code == 200
    assert (await client.get("/movies")).status_code == 200
