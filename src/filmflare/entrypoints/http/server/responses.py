"""The few answers the server writes itself, before (or instead of) any application.

Each is a complete ``application/problem+json`` response in the project's format, followed by
closing the connection: whatever the client sent after it is not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus

from filmflare.entrypoints.http.problems import (
    PROBLEM_MEDIA_TYPE,
    RETRY_AFTER_SECONDS,
    problem_body,
)


def closing_problem(status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> bytes:
    """The bytes of a problem response with ``Connection: close``, after ``headers``
    (the server's own, such as ``date``)."""
    body = problem_body(status, detail)
    lines = [b"HTTP/1.1 %d %s" % (status, HTTPStatus(status).phrase.encode())]
    lines += [name + b": " + value for name, value in headers]
    lines += [
        b"content-type: " + PROBLEM_MEDIA_TYPE.encode(),
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        lines.append(b"retry-after: " + RETRY_AFTER_SECONDS.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
