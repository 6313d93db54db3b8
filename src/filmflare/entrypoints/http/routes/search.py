"""``GET /movies`` (search and list), ``/movies/suggest`` and ``/genres``.

The domain parses the query string, so an unknown parameter, a bad value or an inverted range
is the same 422 everywhere; the use cases answer with finished JSON bytes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from filmflare.domain.query_params import parse_search_params, parse_suggest_params, reject_params
from filmflare.entrypoints.http import fragments as doc
from filmflare.entrypoints.http.deps import ContainerDep
from filmflare.entrypoints.http.responses import json_bytes
from filmflare.entrypoints.http.routing import readable

router = APIRouter(tags=["search"], default_response_class=Response)


@readable(
    router,
    "/movies",
    summary="Search and list movies",
    responses={
        200: doc.ok("A page of results.", "SearchPage"),
        **doc.problems(
            400,
            422,
            503,
            s400="`page` × `per_page` over 10 000, or a cursor that is damaged or belongs "
            "to other parameters.",
            s422="An unknown parameter, a bad value, a parameter given twice, or a range "
            "whose lower bound exceeds its upper.",
        ),
    },
    openapi_extra={"parameters": doc.SEARCH_PARAMETERS},
)
async def search_movies(request: Request, container: ContainerDep) -> Response:
    """Filters exclude movies where the filtered field is null. `facets` and `highlight`
    appear in the answer only when asked for. Results are ordered by `sort`, ties by `id`."""
    criteria = parse_search_params(request.query_params.multi_items())
    return json_bytes(await container.search_movies.execute(criteria))


@readable(
    router,
    "/movies/suggest",
    summary="Complete a title as the user types",
    responses={
        200: doc.ok("Best match first, then most votes.", "Suggestions"),
        **doc.problems(422, 503),
    },
    openapi_extra={"parameters": doc.SUGGEST_PARAMETERS},
)
async def suggest_titles(request: Request, container: ContainerDep) -> Response:
    """Typo tolerant like `q`."""
    text, limit = parse_suggest_params(request.query_params.multi_items())
    return json_bytes(await container.suggest_titles.execute(text, limit))


@readable(
    router,
    "/genres",
    summary="Count movies per genre",
    responses={
        200: doc.ok("Most movies first.", "Genres"),
        **doc.problems(422, 503),
    },
)
async def list_genres(request: Request, container: ContainerDep) -> Response:
    """Spellings that differ only in case count as one genre, named by the most common one."""
    reject_params(request.query_params.multi_items())
    return json_bytes(await container.list_genres.execute())
