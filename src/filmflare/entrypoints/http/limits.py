"""The request body limit (1 MiB), enforced before anything is parsed.

A declared ``Content-Length`` over the limit is refused before the body is read. Otherwise the
body is counted as it streams in, so a missing or understated ``Content-Length`` (chunked
uploads) cannot slip past: the read that crosses the limit raises ``PayloadTooLarge``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from filmflare.entrypoints.http.problems import PayloadTooLarge, problem

MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """Pure ASGI middleware: 413 for bodies over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            response = problem(413, self._detail())
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise PayloadTooLarge(self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return f"the request body may be at most {self.limit} bytes (1 MiB)"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None
