"""Request bodies: 1 MiB (413), JSON media types (415), JSON syntax (400), before validation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from tests.http.conftest import MOVIE, assert_problem, create

pytestmark = pytest.mark.anyio
MIB = 1024 * 1024


def oversized() -> bytes:
    """A valid movie, just over 1 MiB once serialized."""
    body = orjson.dumps(MOVIE | {"overview": "x" * MIB})
    assert len(body) > MIB
    return body


async def test_declared_oversized_body_is_413(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    response = await client.post(
        "/movies", content=oversized(), headers=writer | {"Content-Type": "application/json"}
    )

    assert "1 MiB" in assert_problem(response, 413)["detail"]


async def test_streamed_oversized_body_without_length_is_413(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = oversized()
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await client.post(
        "/movies", content=chunks(), headers=writer | {"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


async def test_understated_content_length_does_not_get_past_the_limit(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    headers = writer | {"Content-Type": "application/json", "Content-Length": "100"}

    response = await client.post("/movies", content=oversized(), headers=headers)

    assert_problem(response, 413)


async def test_a_body_of_exactly_the_limit_is_read(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    body = orjson.dumps({"title": "Padded"})
    padded = body + b" " * (MIB - len(body))  # trailing whitespace is valid JSON

    response = await client.post(
        "/movies", content=padded, headers=writer | {"Content-Type": "application/json"}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        None,
        "application/json; charset=latin-1",
    ],
)
async def test_a_body_not_declared_as_json_is_415(
    client: httpx.AsyncClient, writer: dict[str, str], content_type: str | None
) -> None:
    headers = writer if content_type is None else writer | {"Content-Type": content_type}

    response = await client.post("/movies", content=orjson.dumps(MOVIE), headers=headers)

    assert_problem(response, 415)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/vnd.filmflare+json",
    ],
)
async def test_json_media_types_are_accepted(
    client: httpx.AsyncClient, writer: dict[str, str], content_type: str
) -> None:
    response = await client.post(
        "/movies", content=orjson.dumps(MOVIE), headers=writer | {"Content-Type": content_type}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("content", [b"{", b"", b"{'title': 'x'}", b"\xff\xfe", b"[1,]"])
async def test_malformed_json_is_400(
    client: httpx.AsyncClient, writer: dict[str, str], content: bytes
) -> None:
    response = await client.post(
        "/movies", content=content, headers=writer | {"Content-Type": "application/json"}
    )

    assert "JSON" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize("body", [b"[]", b'"title"', b"null", b"42"])
async def test_json_that_is_not_an_object_is_422(
    client: httpx.AsyncClient, writer: dict[str, str], body: bytes
) -> None:
    response = await client.post(
        "/movies", content=body, headers=writer | {"Content-Type": "application/json"}
    )

    assert assert_problem(response, 422)["errors"][0]["field"] == "body"


async def test_put_checks_the_body_like_post(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    movie = await create(client)
    path = f"/movies/{movie['id']}"

    assert_problem(
        await client.put(path, content=b"{", headers=writer | {"Content-Type": "application/json"}),
        400,
    )
    assert_problem(
        await client.put(path, content=b"{}", headers=writer | {"Content-Type": "text/plain"}), 415
    )
    assert_problem(await client.put(path, json={"year": 1999}, headers=writer), 422)
