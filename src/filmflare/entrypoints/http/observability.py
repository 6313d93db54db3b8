"""Per-request observability: request id, access log line and metrics, as pure ASGI middleware.

Pure ASGI (not ``BaseHTTPMiddleware``) keeps it cheap and leaves streaming and the request's
task untouched. It sits outside the 500 guard, so it sees every final status.

A request whose client disconnected before it was answered is counted and logged with status
499, nginx's "client closed request": nothing failed on the server's side, so it is no 5xx.
"""

from __future__ import annotations

import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from filmflare.entrypoints.http.logs import REQUEST_ID, access_line
from filmflare.entrypoints.http.metrics import UNMATCHED_ROUTE, HttpMetrics

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
#: The status recorded for a request whose client left before its response began (nginx's).
CLIENT_CLOSED_REQUEST = 499


def request_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is sane, else a fresh one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _SANE_ID.fullmatch(text):
                return text
            break
    return os.urandom(16).hex()  # as random as uuid4().hex, at a fraction of its cost


def route_template(scope: Scope) -> str:
    """The matched route's path template, so that metrics do not grow with every id."""
    route = scope.get("route")
    path = getattr(route, "path_format", None)  # without convertors: /movies/{movie_id}
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        raw_id = rid.encode("latin-1")
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = 0  # no response begun yet
        left = False

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list, as MutableHeaders.append makes: the app's own may be shared.
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", raw_id)]
            await send(message)

        async def receive_noting_leave() -> Message:
            nonlocal left
            message = await receive()
            if message["type"] == "http.disconnect":
                left = True
            return message

        try:
            await self.app(scope, receive_noting_leave, send_with_id)
        finally:
            if not status:  # the server answers 500 when the app sent nothing, unless gone
                status = CLIENT_CLOSED_REQUEST if left else 500
            seconds = time.perf_counter() - started
            method = scope["method"]
            self.metrics.observe(method, route_template(scope), status, seconds)
            access_line(rid, method, scope["path"], status, seconds)
            REQUEST_ID.reset(token)
