"""The OpenAPI 3.1 document: FastAPI's paths, plus our schemas and the request id header."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from filmflare.domain.query_params import MAX_PARAMS, QUERY_STRING
from filmflare.entrypoints.http.fragments import SCHEMAS
from filmflare.entrypoints.http.problems import (
    MAX_DETAIL_CHARS,
    MAX_ERRORS,
    MAX_FIELD_CHARS,
    MAX_MESSAGE_CHARS,
    MAX_PROBLEM_BYTES,
    MORE_ERRORS,
)
from filmflare.entrypoints.http.schemas import MODELS, MovieInput

DESCRIPTION = f"""\
A movie catalog: store, search and suggest.

- Reads are public; writes need `Authorization: Bearer <JWT>` (401 without a usable token,
  403 when it grants no writing).
- Every error is `application/problem+json` (RFC 9457) with `type`
  (`https://filmflare.dev/problems/<slug>`), `title`, `status`, `detail`, and for 422 `errors`
  naming each offending field or parameter. Unknown query parameters are a 422 everywhere.
- Problems stay small whatever the request held: `errors` lists the first {MAX_ERRORS},
  then one entry with `field` `{MORE_ERRORS}` saying how many were left out; a field name is
  cut to {MAX_FIELD_CHARS} characters, a message to {MAX_MESSAGE_CHARS}, `detail` to
  {MAX_DETAIL_CHARS} (ending in `…`); a body never exceeds {MAX_PROBLEM_BYTES // 1024} KiB.
- A query string holds at most {MAX_PARAMS} parameters; more is a 422 with one error, `field`
  `{QUERY_STRING}`. Integers in it are ASCII digits with an optional sign, numbers may add a
  decimal point and an exponent: `１９９５`, `١٩٩٥`, `1_995` and `NaN` are a 422.
- No string, in a body or a query parameter, may hold a control character other than tab,
  line feed and carriage return (422 naming the field). That includes DEL and the C1 controls
  U+0080–U+009F, which no text needs; format characters (zero-width joiner, direction marks)
  are allowed.
- A movie's `ETag` is its version (`"3"`). Writes honour `If-Match` (strong comparison; 412 on
  mismatch); a malformed `If-Match` or `If-None-Match` is a 400.
- `external_id` is unique in the catalog, compared exactly (case included) after trimming;
  blank means none. A write that gives a movie the value another movie holds is a 409 whose
  `detail` names that movie, and changes nothing; deleting the movie or clearing the field
  frees the value.
- Searches, suggestions and genre counts carry a weak `ETag`, a digest of the answer that
  changes whenever the answer does, and `Cache-Control: public, max-age=N` (N from
  `FILMFLARE_HTTP_MAX_AGE`, 5 by default; `no-cache` when it is 0). A matching `If-None-Match`
  is a 304 with both headers and no body. Errors carry no `Cache-Control`.
- Request bodies are JSON (`application/json` or any `application/*+json`, UTF-8), at most
  1 MiB (413); another media type is a 415, malformed JSON a 400: that includes a member name
  repeated in one object at any depth, `NaN`, a lone surrogate and bytes that are not UTF-8.
- Every response carries `X-Request-ID`: the caller's, when it is 1–128 characters of
  `A-Za-z0-9._-`, else a generated one.
- Every `GET` also answers `HEAD` (the same status and headers, no body).
- A write is visible at once to `GET /movies/{{movie_id}}` and to search, suggestions and
  genres within a second.
"""

REQUEST_ID_HEADER = {
    "description": "The request's id, echoed from the request or generated.",
    "required": True,
    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,128}$"},
}
TAGS = [
    {"name": "movies", "description": "The catalog: create, read, replace, patch, delete."},
    {"name": "search", "description": "Search, title suggestions and genre counts."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]


def patch_schema(input_schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Merge Patch of ``MovieInput``: every field optional, ``null`` removes it."""
    schema = copy.deepcopy(input_schema)
    schema.pop("required", None)
    schema["title"] = "MoviePatch"
    schema["description"] = (
        "A JSON Merge Patch (RFC 7396) of the client fields: absent fields stay as they are, "
        "`null` clears a field (a list becomes empty; `title` cannot be cleared), and a new "
        "`release_date` without `year` re-derives `year`."
    )
    for prop in schema["properties"].values():
        prop.pop("default", None)
    return schema


def component_schemas() -> dict[str, Any]:
    modes = [(m, "validation" if m is MovieInput else "serialization") for m in MODELS]
    _, definitions = models_json_schema(modes, ref_template=SCHEMAS + "{model}")  # type: ignore[arg-type]
    schemas: dict[str, Any] = definitions["$defs"]
    schemas["MoviePatch"] = patch_schema(schemas["MovieInput"])
    return schemas


def _finish_paths(document: dict[str, Any]) -> None:
    """Every answer carries a request id."""
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID_HEADER


def server_limits(app: FastAPI) -> str:
    """The limits every server process keeps before the API sees a request, as configured."""
    settings = app.state.container.settings
    return f"""\
- Each server process protects itself: a request whose header section (request line
  included) is over {settings.max_header_bytes} bytes or {settings.max_headers} fields is a 431
  (`FILMFLARE_MAX_HEADER_BYTES`, `FILMFLARE_MAX_HEADERS`) and its connection is closed; a
  connection that has not sent a whole header section {settings.header_timeout_seconds:g} s
  after opening, or after its previous response, is closed, after a 408 when a request had
  begun (`FILMFLARE_HEADER_TIMEOUT_SECONDS`); a process holds at most
  {settings.max_connections} connections (`FILMFLARE_MAX_CONNECTIONS`): a new one closes the one
  idle the longest, or is refused with a 503 when every one is processing a request.
- A client that disconnects before its answer is no server error: such a request is counted in
  `/metrics` with status 499 (nginx's "client closed request").
"""


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with a builder that caches the finished document."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version="3.1.0",
                description=DESCRIPTION + server_limits(app),
                routes=app.routes,
                tags=TAGS,
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                component_schemas()
            )
            _finish_paths(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
