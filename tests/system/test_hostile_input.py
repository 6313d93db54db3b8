"""Hostile input against a real server process over real sockets (``filmflare serve``, the
embedded profile): each finding of "Safe to expose" is a small 4xx problem, never a 500,
and nothing of it is stored. One server serves the module; loopback only, bounded traffic.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.http.conftest import MOVIE, SECRET, bearer
from tests.system.api_process import ApiProcess

SMALL = 16 * 1024  # bytes: what an error body may take at most


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    workdir = tmp_path_factory.mktemp("hostile")
    settings = {
        "FILMFLARE_DATA_DIR": str(workdir / "data"),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": "warning",
        # Let a long query string reach the application, so its bound is what is tested
        # (a server that refuses the request line sooner answers with less still).
        "FILMFLARE_MAX_HEADER_BYTES": str(256 * 1024),
    }
    process = ApiProcess(workdir, settings)
    process.start()
    try:
        with httpx.Client(base_url=process.url, timeout=30) as client:
            yield client
    finally:
        process.stop()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.content) < SMALL
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def add(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/movies", json=MOVIE | fields, headers=bearer())
    assert response.status_code == 201, response.text
    movie: dict[str, Any] = response.json()
    return movie


def found(client: httpx.Client, total: int, **params: Any) -> dict[str, Any]:
    """The search's answer once it counts ``total`` (search may lag a write by a second)."""
    deadline = time.monotonic() + 5
    while True:
        response = client.get("/movies", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["total_results"] == total or time.monotonic() > deadline:
            assert body["total_results"] == total, body
            return body
        time.sleep(0.05)


def cursor_with(cursor: str, **changes: object) -> str:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=="))
    raw = json.dumps(payload | changes).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_cursor_holding_a_number_of_64_bits_or_more_is_400_not_500(
    api: httpx.Client,
) -> None:
    for n in range(3):
        add(api, title=f"Cursorflood {n}", votes=n)
    params: dict[str, str | int] = {"q": "cursorflood", "sort": "-votes", "per_page": 1}
    cursor = found(api, 3, **params)["next_cursor"]
    tie = json.loads(base64.urlsafe_b64decode(cursor + "=="))["p"][-1]
    for changes in ({"n": 2**64}, {"n": 2**70}, {"p": [2**64, tie]}, {"p": [2**64]}):
        response = api.get("/movies", params=params | {"cursor": cursor_with(cursor, **changes)})
        assert problem(response, 400)["detail"] == "cursor is not valid; start again without it"
    assert api.get("/movies", params=params | {"cursor": cursor}).status_code == 200


def test_a_body_with_a_repeated_member_name_is_400(api: httpx.Client) -> None:
    body = b'{"title": "Dupe", "cast": [], "title": "Other"}'
    headers = bearer() | {"Content-Type": "application/json"}
    response = api.post("/movies", content=body, headers=headers)
    assert 'member "title" appears more than once' in problem(response, 400)["detail"]


def test_a_nul_in_a_title_is_422_and_nothing_is_stored(api: httpx.Client) -> None:
    response = api.post("/movies", json=MOVIE | {"title": "Nulmovie\x00"}, headers=bearer())
    errors = problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == ["title"]
    # Search shows writes in order: once a later movie is found, an earlier one would be too.
    add(api, title="Nulmovie later")
    results = found(api, 1, q="nulmovie")["results"]
    assert [r["title"] for r in results] == ["Nulmovie later"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("year", "１９９５"), ("year", "١٩٩٥"), ("per_page", "1_0"), ("rating_min", "٧")],
)
def test_digits_that_are_not_ascii_are_422(api: httpx.Client, name: str, value: str) -> None:
    errors = problem(api.get("/movies", params={name: value}), 422)["errors"]
    assert [e["field"] for e in errors] == [name]


@pytest.mark.parametrize("path", ["/movies", "/genres", "/movies/suggest"])
def test_ten_thousand_parameters_get_a_small_error_body(api: httpx.Client, path: str) -> None:
    query = "&".join(f"p{n}" for n in range(10_000))  # 59 KB, within what httpx sends
    problem(api.get(f"{path}?{query}"), 422)
