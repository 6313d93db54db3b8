"""Pieces of the OpenAPI document that routes attach: parameters, headers and responses.

Parameters are documented here rather than declared to FastAPI, so that the domain parsers
(``domain.query_params``) are the only validators; the schemas below say exactly what they take.
"""

from __future__ import annotations

from typing import Any

from filmflare.application.digests import DIGEST_LENGTH
from filmflare.domain.cursor import MAX_CURSOR_LENGTH
from filmflare.domain.query_params import TEXT_LIMIT
from filmflare.domain.rules import MAX_VOTES
from filmflare.entrypoints.http.problems import MAX_ERRORS

Fragment = dict[str, Any]
SCHEMAS = "#/components/schemas/"
JSON = "application/json"
PROBLEM = "application/problem+json"
MERGE_PATCH = "application/merge-patch+json"

# RFC 9110: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a list that may hold empty items.
_TAG = r'((W/)?"[\x21\x23-\x7e\x80-\xff]*")?'
_TAG_LIST = rf"^[ \t]*(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)[ \t]*$"

HEADERS: dict[str, Fragment] = {
    "ETag": {
        "description": 'The movie\'s version as a strong entity tag, e.g. `"3"`.',
        "required": True,
        "schema": {"type": "string", "pattern": r'^"[0-9]+"$'},
    },
    "Location": {
        "description": "The new movie's URL path.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^/movies/[0-9a-z]{16}$"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
    "WWW-Authenticate": {
        "description": 'RFC 6750 challenge: `Bearer realm="filmflare"`, with '
        '`error="invalid_token"` when a token was sent but refused.',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    },
}

_PROBLEMS: dict[int, str] = {
    400: "Malformed JSON, a malformed `If-Match`/`If-None-Match`, or an impossible request.",
    401: "No usable bearer token: missing, malformed, expired or badly signed.",
    403: "The token is valid but grants no writing (`movies:write`, `editor` or `admin`).",
    404: "No movie has this id.",
    409: "Another movie holds this `external_id` (`detail` names it); nothing was changed.",
    412: "`If-Match` does not match the current version; nothing was changed.",
    413: "The request body is over 1 MiB.",
    415: "The body is not declared as JSON (`Content-Type`).",
    422: f"A parameter or field breaks a rule; `errors` names each one (the first {MAX_ERRORS}).",
    429: "This client (its token's subject, else its address) sent more requests than the "
    "configured rate allows; `Retry-After` says when to try again.",
    503: "A backend needed for this request does not answer.",
}
_PROBLEM_HEADERS = {401: "WWW-Authenticate", 429: "Retry-After", 503: "Retry-After"}
#: The caching headers of a search-like answer, 200 or 304 (``responses.search_like_answer``).
_SEARCH_LIKE_HEADERS: dict[str, Fragment] = {
    "ETag": {
        "description": "The answer's weak entity tag: a digest of its bytes, which changes "
        "whenever the answer does (after a write, within the second search takes to show it).",
        "required": True,
        "schema": {"type": "string", "pattern": f'^W/"[A-Za-z0-9_-]{{{DIGEST_LENGTH}}}"$'},
    },
    "Cache-Control": {
        "description": "`public, max-age=N`: any cache may keep the answer N seconds "
        "(`FILMFLARE_HTTP_MAX_AGE`, 5 by default), then revalidate it with `If-None-Match`; "
        "`no-cache` when N is 0: a cache revalidates it before every use.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^(public, max-age=[0-9]+|no-cache)$"},
    },
}


def content(schema: str, *media_types: str) -> Fragment:
    return {media: {"schema": {"$ref": SCHEMAS + schema}} for media in media_types or (JSON,)}


def ok(description: str, schema: str | None = None, *headers: str) -> Fragment:
    response: Fragment = {"description": description}
    if schema is not None:
        response["content"] = content(schema)
    if headers:
        response["headers"] = {name: HEADERS[name] for name in headers}
    return response


def search_like(description: str, schema: str) -> dict[int | str, Fragment]:
    """The 200 and 304 of a search, suggestions or genre counts, with their caching headers."""
    return {
        200: ok(description, schema) | {"headers": dict(_SEARCH_LIKE_HEADERS)},
        304: {
            "description": "`If-None-Match` named the answer's current `ETag`: the copy the "
            "client holds is current.",
            "headers": dict(_SEARCH_LIKE_HEADERS),
        },
    }


def problems(*statuses: int, **notes: str) -> dict[int | str, Fragment]:
    """Problem responses; ``notes`` (``s400="..."``) replace the generic description."""
    out: dict[int | str, Fragment] = {}
    for status in statuses:
        response: Fragment = {
            "description": notes.get(f"s{status}", _PROBLEMS[status]),
            "content": content("Problem", PROBLEM),
        }
        if status in _PROBLEM_HEADERS:
            name = _PROBLEM_HEADERS[status]
            response["headers"] = {name: HEADERS[name]}
        out[status] = response
    return out


def query(name: str, schema: Fragment, description: str, **extra: Any) -> Fragment:
    return {"name": name, "in": "query", "required": False, "schema": schema} | {
        "description": description,
        **extra,
    }


MOVIE_ID: Fragment = {
    "name": "movie_id",
    "in": "path",
    "required": True,
    "description": "The id the server assigned (16 characters of `0-9a-z`); any other value "
    "is simply not found (404).",
    "schema": {"type": "string", "pattern": r"^[0-9a-z]{16}$"},
}
IF_MATCH: Fragment = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'Apply only if the current version is one of these entity tags (`"3"`, a '
    'comma list, or `*`), compared strongly: a weak tag `W/"3"` never matches. '
    "Mismatch: 412. Not a list of entity tags: 400.",
    "schema": {"type": "string", "pattern": _TAG_LIST},
}
IF_NONE_MATCH: Fragment = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "Answer 304 without a body when the current `ETag` is one of these entity "
    'tags (`"3"`, `W/"3"`, a comma list, or `*`), compared weakly: `W/"3"` and `"3"` both '
    "match either. Not a list of entity tags: 400.",
    "schema": {"type": "string", "pattern": _TAG_LIST},
}

_TEXT: Fragment = {"type": "string", "maxLength": TEXT_LIMIT}


def _int(low: int, high: int) -> Fragment:
    return {"type": "integer", "minimum": low, "maximum": high}


_RATING: Fragment = {"type": "number", "minimum": 0, "maximum": 10}
_SORTS = ["relevance", "title", "year", "rating", "votes", "created_at"]

SEARCH_PARAMETERS: list[Fragment] = [
    query(
        "q",
        _TEXT,
        "Full text over title (weighted most), original title, directors, cast "
        "and overview; every word must match; typo tolerant (1 edit for words of 5+ "
        "characters, 2 for 9+; an edit to a word's first character counts as two); the last "
        "word also as a prefix.",
    ),
    query("title", _TEXT, "Like `q`, over title and original title only."),
    query(
        "genre",
        {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 40}},
        "Repeatable; a movie matches with any of them (case-insensitive).",
        style="form",
        explode=True,
    ),
    query(
        "genre_match",
        {"type": "string", "enum": ["any", "all"], "default": "any"},
        "`all`: a movie must have every `genre` given.",
    ),
    query("year", _int(1870, 2100), "Exact year."),
    query("year_from", _int(1870, 2100), "Inclusive lower bound of `year`."),
    query("year_to", _int(1870, 2100), "Inclusive upper bound of `year`."),
    query("rating_min", _RATING, "Inclusive; movies without a rating never match."),
    query("rating_max", _RATING, "Inclusive; movies without a rating never match."),
    query("votes_min", _int(0, MAX_VOTES), "Inclusive; movies without votes never match."),
    query("runtime_min", _int(0, 1000), "Inclusive, minutes."),
    query("runtime_max", _int(0, 1000), "Inclusive, minutes."),
    query("director", _TEXT, "A director's name holds every word (case-insensitive)."),
    query("cast", _TEXT, "A cast member's name holds every word (case-insensitive)."),
    query("language", _TEXT, "ISO 639-1 code, exact, case-insensitive."),
    query("certification", _TEXT, "Exact, case-insensitive."),
    query(
        "external_id",
        {"type": "string", "pattern": r"^\s*[A-Za-z0-9._:-]{1,100}\s*$"},
        "The movie holding this `external_id`: exact and case-sensitive (at most one).",
    ),
    query(
        "sort",
        {"type": "string", "enum": _SORTS + ["-" + s for s in _SORTS[1:]]},
        "A leading `-` sorts descending. Default: `relevance` with `q` or `title`, else "
        "`-votes`. Nulls sort last; ties by `id` ascending.",
    ),
    query(
        "page",
        _int(1, 10**9),
        "1-based; `page` × `per_page` over 10 000 is a 400: use "
        "`cursor` to go deeper. A page past the end is empty.",
    ),
    query("per_page", _int(1, 100), "Results per page (default 20)."),
    query(
        "cursor",
        {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
        "`next_cursor` of the previous "
        "page; replaces `page`; send the other parameters unchanged (else 400). A cursor "
        "that is damaged or altered is a 400 too.",
    ),
    query(
        "facets",
        {"type": "array", "items": {"type": "string", "enum": ["genres", "decade", "rating"]}},
        "Counts over the whole filtered result.",
        style="form",
        explode=False,
    ),
    query("highlight", {"type": "boolean"}, "`true`: each result gets `highlight`."),
]
SUGGEST_PARAMETERS: list[Fragment] = [
    query(
        "q",
        _TEXT,
        "What was typed so far; every word must start a title word, the "
        "last as a prefix. Blank suggests nothing.",
    ),
    query("limit", _int(1, 20), "At most this many suggestions (default 10)."),
]
