"""The one error table: every error the service answers with, as ``application/problem+json``.

Each domain error maps to exactly one status, and each status to one problem ``type``
(``https://filmflare.dev/problems/<slug>``) and title, so a client can branch on either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from filmflare.domain.errors import (
    BackendUnavailable,
    BadRequest,
    DuplicateId,
    ExternalIdTaken,
    FieldError,
    Forbidden,
    MovieNotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
    VersionConflict,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://filmflare.dev/problems/"
RETRY_AFTER_SECONDS = "5"

# A problem body stays small whatever the request held (10 000 unknown parameters, a field
# name of a megabyte): ``errors`` lists the first MAX_ERRORS, then one entry named MORE_ERRORS
# counting the rest; names, messages and ``detail`` are cut (ending in "…") past these many
# characters; and should escaped characters still make it over MAX_PROBLEM_BYTES, only the
# count remains. API.md is silent on this; the OpenAPI description says it.
MAX_ERRORS = 20
MORE_ERRORS = "(more)"
MAX_FIELD_CHARS = 100
MAX_MESSAGE_CHARS = 300
MAX_DETAIL_CHARS = 1000
MAX_PROBLEM_BYTES = 16 * 1024


class PayloadTooLarge(Exception):
    """The request body is over the size limit (413)."""


class UnsupportedMediaType(Exception):
    """The request body is not in a JSON media type this endpoint accepts (415)."""


#: Status -> (slug of the problem type, title).
KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "Request timeout"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "Validation failed"),
    429: ("rate-limited", "Too many requests"),
    431: ("request-headers-too-large", "Request header fields too large"),
    500: ("internal-error", "Internal server error"),
    503: ("backend-unavailable", "Service unavailable"),
}

#: Error class -> status. A subclass takes its nearest listed ancestor's status.
STATUS_OF: dict[type[Exception], int] = {
    ValidationFailed: 422,
    BadRequest: 400,
    MovieNotFound: 404,
    VersionConflict: 412,
    ExternalIdTaken: 409,
    Unauthenticated: 401,
    Forbidden: 403,
    BackendUnavailable: 503,
    RateLimited: 429,
    # Five fresh ids in a row were taken: transient, so retrying is the right answer.
    DuplicateId: 503,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
}


def problem_type(status: int) -> str:
    slug = KINDS[status][0] if status in KINDS else f"http-{status}"
    return PROBLEM_BASE + slug


def problem_body(
    status: int,
    detail: str,
    *,
    errors: Iterable[FieldError] | None = None,
    extra: dict[str, object] | None = None,
) -> bytes:
    """The problem as JSON, bounded whatever the request held (``MAX_PROBLEM_BYTES``)."""
    title = KINDS[status][1] if status in KINDS else "Error"
    body: dict[str, object] = {
        "type": problem_type(status),
        "title": title,
        "status": status,
        "detail": _clipped(detail, MAX_DETAIL_CHARS),
    }
    found = None if errors is None else list(errors)
    if found is not None:
        body["errors"] = _listed(found, MAX_ERRORS)
    body.update(extra or {})
    encoded = orjson.dumps(body)
    if found and len(encoded) > MAX_PROBLEM_BYTES:  # names of escaped control characters
        body["errors"] = _listed(found, 0)
        encoded = orjson.dumps(body)
    return encoded


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed(errors: list[FieldError], shown: int) -> list[dict[str, str]]:
    """The first ``shown`` errors, clipped, then one entry counting those left out."""
    listed = [
        {
            "field": _clipped(e.field, MAX_FIELD_CHARS),
            "message": _clipped(e.message, MAX_MESSAGE_CHARS),
        }
        for e in errors[:shown]
    ]
    left = len(errors) - len(listed)
    if left:
        more = "more " if listed else ""
        message = f"{left} {more}{'error was' if left == 1 else 'errors were'} left out"
        listed.append({"field": MORE_ERRORS, "message": message})
    return listed


def problem(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: Iterable[FieldError] | None = None,
    extra: dict[str, object] | None = None,
) -> Response:
    """A complete problem response; 503 always carries ``Retry-After``."""
    all_headers = dict(headers or {})
    if status == 503:
        all_headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
    return Response(
        content=problem_body(status, detail, errors=errors, extra=extra),
        status_code=status,
        headers=all_headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def status_of(error: Exception) -> int | None:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return None


_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


def www_authenticate(request: Request, error: Exception) -> str:
    """RFC 6750: name the error only when the client actually sent credentials."""
    if "authorization" not in request.headers:
        return 'Bearer realm="filmflare"'
    description = _UNSAFE.sub("", str(error))[:200]
    return f'Bearer realm="filmflare", error="invalid_token", error_description="{description}"'


async def on_error(request: Request, error: Exception) -> Response:
    """Exception handler for every error in ``STATUS_OF``."""
    status = status_of(error)
    if status is None:  # only registered for listed classes; re-raise reaches the 500 guard
        raise error
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = www_authenticate(request, error)
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.whole_seconds)
    errors = error.errors if isinstance(error, ValidationFailed) else None
    return problem(status, str(error), headers=headers, errors=errors)


async def on_http_exception(request: Request, error: Exception) -> Response:
    """Starlette's own errors (unknown route 404, 405 with ``Allow``) as problems."""
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 404:
        detail = f"no resource at {request.url.path}"
    elif error.status_code == 405:
        # Starlette names the methods of the first route of the path only; GET and POST
        # /movies are two routes.
        headers["Allow"] = ", ".join(_allowed_methods(request))
        detail = f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}"
    else:
        detail = str(error.detail)
    return problem(error.status_code, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path, asking the routes themselves."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def on_request_validation(request: Request, error: Exception) -> Response:
    """FastAPI validates nothing of ours, but keep its error format uniform if it ever does."""
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(".".join(str(part) for part in e.get("loc", ())), str(e.get("msg", "")))
        for e in error.errors()
    ]
    return problem(422, "the request is not valid", errors=errors)


def install(app: FastAPI) -> None:
    for cls in STATUS_OF:
        app.add_exception_handler(cls, on_error)
    app.add_exception_handler(HTTPException, on_http_exception)
    app.add_exception_handler(RequestValidationError, on_request_validation)
