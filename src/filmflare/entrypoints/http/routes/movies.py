"""``/movies`` and ``/movies/{movie_id}``: create, read, replace, patch, delete.

An id that is not well-formed matches no route (404). Then, in signature order: the token
(401, 403), the precondition (400); the query string (422), the body (415, 413, 400), and last
the use case (422, 404, 412).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from filmflare.domain.query_params import reject_params
from filmflare.entrypoints.http import fragments as doc
from filmflare.entrypoints.http.bodies import JSON, MERGE_PATCH, read_json
from filmflare.entrypoints.http.conditional import etag
from filmflare.entrypoints.http.deps import ContainerDep, IfMatch, IfNoneMatch, MovieId, Writer
from filmflare.entrypoints.http.responses import json_bytes, movie_response
from filmflare.entrypoints.http.routing import MOVIE_PATH, readable

router = APIRouter(tags=["movies"], default_response_class=Response)


def _body(schema: str, *media_types: str) -> doc.Fragment:
    return {"requestBody": {"required": True, "content": doc.content(schema, *media_types)}}


_WRITE_PROBLEMS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 503)


@router.post(
    "/movies",
    status_code=201,
    summary="Add a movie",
    responses={
        201: doc.ok("The movie as stored, version 1.", "Movie", "Location", "ETag"),
        **doc.problems(400, 401, 403, 409, 413, 415, 422, 503),
    },
    openapi_extra=_body("MovieInput", JSON),
)
async def add_movie(_writer: Writer, request: Request, container: ContainerDep) -> Response:
    """The server assigns the id; `Location` points at the new movie."""
    reject_params(request.query_params.multi_items())
    body = await read_json(request)
    return movie_response(await container.add_movie.execute(body), 201)


@readable(
    router,
    MOVIE_PATH,
    summary="Get a movie",
    responses={
        200: doc.ok("The movie.", "Movie", "ETag"),
        304: doc.ok("`If-None-Match` matched: the copy the client holds is current.", None, "ETag"),
        **doc.problems(400, 404, 422, 503, s400="A malformed `If-None-Match`."),
    },
    openapi_extra={"parameters": [doc.MOVIE_ID, doc.IF_NONE_MATCH]},
)
async def get_movie(
    movie_id: MovieId, held: IfNoneMatch, request: Request, container: ContainerDep
) -> Response:
    """Always current: a write is visible here as soon as it has been answered."""
    reject_params(request.query_params.multi_items())
    found = await container.get_movie.execute(movie_id)
    if held is not None and held.matches(str(found.version)):
        return Response(status_code=304, headers={"ETag": etag(found.version)})
    return json_bytes(found.body, headers={"ETag": etag(found.version)})


@router.put(
    MOVIE_PATH,
    summary="Replace a movie",
    responses={
        200: doc.ok("The movie with its new version.", "Movie", "ETag"),
        **doc.problems(*_WRITE_PROBLEMS),
    },
    openapi_extra={
        "parameters": [doc.MOVIE_ID, doc.IF_MATCH],
        **_body("MovieInput", JSON),
    },
)
async def replace_movie(
    _writer: Writer,
    movie_id: MovieId,
    expected: IfMatch,
    request: Request,
    container: ContainerDep,
) -> Response:
    """Replaces every client field (absent ones become null or empty); never creates."""
    reject_params(request.query_params.multi_items())
    body = await read_json(request)
    return movie_response(await container.replace_movie.execute(movie_id, body, expected))


@router.patch(
    MOVIE_PATH,
    summary="Change some fields of a movie",
    responses={
        200: doc.ok("The movie with its new version.", "Movie", "ETag"),
        **doc.problems(*_WRITE_PROBLEMS),
    },
    openapi_extra={
        "parameters": [doc.MOVIE_ID, doc.IF_MATCH],
        **_body("MoviePatch", MERGE_PATCH, JSON),
    },
)
async def patch_movie(
    _writer: Writer,
    movie_id: MovieId,
    expected: IfMatch,
    request: Request,
    container: ContainerDep,
) -> Response:
    """A JSON Merge Patch (RFC 7396). Without `If-Match`, concurrent patches all apply."""
    reject_params(request.query_params.multi_items())
    patch = await read_json(request, (MERGE_PATCH, JSON))
    return movie_response(await container.patch_movie.execute(movie_id, patch, expected))


@router.delete(
    MOVIE_PATH,
    status_code=204,
    summary="Delete a movie",
    responses={
        204: doc.ok("Deleted."),
        **doc.problems(400, 401, 403, 404, 412, 422, 503, s400="A malformed `If-Match`."),
    },
    openapi_extra={"parameters": [doc.MOVIE_ID, doc.IF_MATCH]},
)
async def delete_movie(
    _writer: Writer,
    movie_id: MovieId,
    expected: IfMatch,
    request: Request,
    container: ContainerDep,
) -> Response:
    """The id is never reused; search stops finding the movie within a second."""
    reject_params(request.query_params.multi_items())
    await container.delete_movie.execute(movie_id, expected)
    return Response(status_code=204)
