"""Success responses: bytes from the use cases are sent as they are, never re-serialized.

A search-like answer (a search, suggestions, genre counts) is made here once, as an ``Answer``,
for the fast path and the routes alike: the same status, headers in the same order, and the
same 304. Its caching headers:

- ``ETag``: the digest of its bytes as a weak validator (``application.digests``), made when
  the answer was, so a cached answer costs no hashing;
- ``Cache-Control: public, max-age=N`` (``FILMFLARE_HTTP_MAX_AGE``): any cache may keep it N
  seconds, then revalidate it with ``If-None-Match``. With 0, ``no-cache``: a cache may keep
  it, but must revalidate it before every use. Errors carry no ``Cache-Control``.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from filmflare.application.digests import Digested
from filmflare.application.presenters import movie_body
from filmflare.domain.movie import Movie
from filmflare.entrypoints.http.conditional import HeldTags, etag, weak_etag

JSON = "application/json"
Headers = list[tuple[bytes, bytes]]
_CONTENT_TYPE = (b"content-type", JSON.encode("latin-1"))


def json_bytes(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(content=body, status_code=status, headers=headers, media_type=JSON)


def movie_response(movie: Movie, status: int = 200) -> Response:
    headers = {"ETag": etag(movie.version)}
    if status == 201:
        headers["Location"] = f"/movies/{movie.id}"
    return json_bytes(movie_body(movie), status, headers)


@dataclass(frozen=True, slots=True)
class Answer:
    """A finished response: what Starlette's ``Response`` sends in two ASGI messages."""

    status: int
    headers: Headers
    body: bytes = b""

    @classmethod
    def of(cls, response: Response) -> Answer:
        return cls(response.status_code, response.raw_headers, bytes(response.body))

    def response(self) -> Response:
        """This answer, for a route to return."""
        response = Response(self.body, self.status)
        response.raw_headers = self.headers
        return response


def json_answer(body: bytes, headers: Headers) -> Answer:
    """What ``json_bytes(body, headers=...)`` sends: the given headers first."""
    length = (b"content-length", b"%d" % len(body))
    return Answer(200, [*headers, length, _CONTENT_TYPE], body)


def cache_control(max_age: int) -> bytes:
    """The ``Cache-Control`` of a search-like answer, for ``FILMFLARE_HTTP_MAX_AGE``."""
    return b"public, max-age=%d" % max_age if max_age else b"no-cache"


def search_like_answer(found: Digested, held: HeldTags | None, control: bytes) -> Answer:
    """200 with ``found``, or 304 when ``If-None-Match`` (``held``) names it; both carry its
    ``ETag`` and ``control`` (``cache_control``'s)."""
    headers = [(b"etag", weak_etag(found.digest)), (b"cache-control", control)]
    if held is not None and held.matches(found.digest.decode("ascii")):
        return Answer(304, headers)
    return json_answer(found.body, headers)
