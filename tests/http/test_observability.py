"""Request ids, the access log, metrics, liveness and readiness."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest

from filmflare.entrypoints.http.logs import JsonFormatter, RequestIdFilter
from tests.http.conftest import create

pytestmark = pytest.mark.anyio


async def test_a_sane_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123.DEF_9"})

    assert response.headers["x-request-id"] == "abc-123.DEF_9"


@pytest.mark.parametrize("incoming", [None, "", "has space", "x" * 129, "semi;colon"])
async def test_otherwise_a_request_id_is_generated(
    client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {} if incoming is None else {"X-Request-ID": incoming}

    first = await client.get("/healthz", headers=headers)
    second = await client.get("/healthz", headers=headers)

    assert first.headers["x-request-id"] != incoming
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert 1 <= len(first.headers["x-request-id"]) <= 128


async def test_errors_carry_the_request_id_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"X-Request-ID": "lost"})

    assert response.status_code == 404
    assert response.headers["x-request-id"] == "lost"


async def test_each_request_is_logged_as_one_json_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="filmflare.access"):
        await client.get("/healthz", headers={"X-Request-ID": "log-me"})

    (record,) = [r for r in caplog.records if r.name == "filmflare.access"]
    RequestIdFilter().filter(record)
    line = orjson.loads(JsonFormatter().format(record))
    assert line["request_id"] == "log-me"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"
    assert line["message"]
    assert line["time"]


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    movie = await create(client)
    await client.get(f"/movies/{movie['id']}")
    await client.get("/movies/0000000000000000")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'filmflare_http_requests_total{method="GET",route="/movies/{movie_id}",status="200"} 1.0'
        in text
    )
    assert 'route="/movies/{movie_id}",status="404"' in text
    assert (
        'filmflare_http_request_duration_seconds_count{method="POST",route="/movies",status="201"}'
        " 1.0" in text
    )
    assert movie["id"] not in text


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert set(ready.json()["checks"]) == {"store", "search", "cache"}
    assert set(ready.json()["checks"].values()) == {"ok"}
    assert set(ready.json()["backends"]) == {"store", "search", "cache"}
