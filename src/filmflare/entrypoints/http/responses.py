"""Success responses: bytes from the use cases are sent as they are, never re-serialized."""

from __future__ import annotations

from starlette.responses import Response

from filmflare.application.presenters import movie_body
from filmflare.domain.movie import Movie
from filmflare.entrypoints.http.conditional import etag

JSON = "application/json"


def json_bytes(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(content=body, status_code=status, headers=headers, media_type=JSON)


def movie_response(movie: Movie, status: int = 200) -> Response:
    headers = {"ETag": etag(movie.version)}
    if status == 201:
        headers["Location"] = f"/movies/{movie.id}"
    return json_bytes(movie_body(movie), status, headers)
