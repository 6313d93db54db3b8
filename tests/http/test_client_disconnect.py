"""A client that disconnects mid-request is no server error (API.md, Limits): counted as 499,
logged as one access line, no traceback. The same over a real socket is in
``tests/system/test_server_limits.py``."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.types import Message

from tests.http.conftest import bearer

pytestmark = pytest.mark.anyio


def post_scope(body_length: int) -> dict[str, Any]:
    headers = {
        "host": "testserver",
        "content-type": "application/json",
        "content-length": str(body_length),
        **{name.lower(): value for name, value in bearer().items()},
    }
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/movies",
        "raw_path": b"/movies",
        "root_path": "",
        "query_string": b"",
        "headers": [(name.encode(), value.encode()) for name, value in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }


async def test_a_client_leaving_mid_body_is_a_499_without_a_traceback(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    arriving: list[Message] = [
        {"type": "http.request", "body": b'{"title": "Ha', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return arriving.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO):
        await app(post_scope(1000), receive, send)

    assert sent == []  # nobody is left to answer
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    (line,) = [r for r in caplog.records if r.name == "filmflare.access"]
    assert line.status == 499  # type: ignore[attr-defined]
    metrics = app.state.metrics.render().decode()
    assert 'route="/movies",status="499"' in metrics
    assert 'status="500"' not in metrics
