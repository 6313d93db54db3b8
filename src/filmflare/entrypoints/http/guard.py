"""The last line of defence: an unexpected exception becomes a logged 500 problem.

A 500 is always a bug, so the client gets a generic detail (no internals) and the log gets the
traceback with the request id. Handling it here, rather than in Starlette's outermost error
middleware, keeps the response a normal one: it is counted, logged and carries the request id.

A client that disconnects while its body is read (Starlette's ``ClientDisconnect``) is no bug
and has no one left to answer: the request just ends; the observer counts it as a 499.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from filmflare.entrypoints.http.problems import problem

log = logging.getLogger("filmflare.http")


class ServerErrorGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            return
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:  # too late for a problem response; the server drops the connection
                raise
            response = problem(500, "an unexpected error occurred; it has been logged")
            await response(scope, receive, send)
