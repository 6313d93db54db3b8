"""The ceiling for the fast path: a bare ASGI app that replays FilmFlare's answers.

It answers each recorded ``path?query`` with the recorded status, headers and body, as fixed
bytes, and does nothing else (no parsing, no cache, no logging, no metrics), so on the same
server (uvicorn, uvloop, httptools, one worker) it measures what the protocol alone costs.
The recorded headers are sent as they are, ``X-Request-ID`` included: the ceiling does not
even make an id. Anything not recorded is a 404.

Record from a running API, then serve the recording::

    python bench/bare_app.py record http://127.0.0.1:8000 /movies?q=heat /movies/ID > answers.json
    BARE_APP_ANSWERS=answers.json uvicorn --app-dir bench --factory bare_app:app_from_environment \\
        --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# Added by the server itself on every answer, so not replayed.
_SERVER_HEADERS = {"date", "server", "connection", "transfer-encoding", "keep-alive"}
_NOT_FOUND = (404, [(b"content-type", b"text/plain"), (b"content-length", b"9")], b"not found")


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def make_app(answers: Mapping[str, Answer]) -> ASGIApp:
    """An app answering ``answers[path?query]`` (the query exactly as sent, without ``?``
    when empty); HEAD gets the same headers and no body."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: nothing to start
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        query = scope["query_string"]
        target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
        status, headers, body = answers.get(target, _NOT_FOUND)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )

    return app


def record(base_url: str, targets: list[str]) -> dict[str, Any]:
    """Each target's answer from a running API, as JSON-able data for ``load``."""
    recorded: dict[str, Any] = {}
    for target in targets:
        with urllib.request.urlopen(base_url.rstrip("/") + target) as answer:  # noqa: S310
            headers = [
                [name.lower(), value]
                for name, value in answer.headers.items()
                if name.lower() not in _SERVER_HEADERS
            ]
            recorded[target] = {
                "status": answer.status,
                "headers": headers,
                "body": answer.read().decode(),
            }
    return recorded


def load(recorded: Mapping[str, Any]) -> dict[str, Answer]:
    return {
        target: (
            int(entry["status"]),
            [(name.encode("latin-1"), value.encode("latin-1")) for name, value in entry["headers"]],
            entry["body"].encode(),
        )
        for target, entry in recorded.items()
    }


def app_from_environment() -> ASGIApp:
    """uvicorn factory: the answers recorded in the file ``BARE_APP_ANSWERS`` names."""
    with open(os.environ["BARE_APP_ANSWERS"], encoding="utf-8") as file:
        return make_app(load(json.load(file)))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "record":
        sys.exit("usage: bare_app.py record BASE_URL TARGET...")
    json.dump(record(sys.argv[2], sys.argv[3:]), sys.stdout, indent=1)
