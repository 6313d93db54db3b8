"""``GET /movies`` (search and list), ``/movies/suggest`` and ``/genres``.

The domain parses the query string, so an unknown parameter, a bad value or an inverted range
is the same 422 everywhere; the use cases answer with finished JSON bytes and their digest,
which ``search_like_answer`` sends as a weak ``ETag`` (a matching ``If-None-Match`` is a 304),
with ``Cache-Control``, exactly as the fast path in front does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from filmflare.application.digests import Digested
from filmflare.bootstrap import Container
from filmflare.domain.query_params import parse_search_params, parse_suggest_params, reject_params
from filmflare.entrypoints.http import fragments as doc
from filmflare.entrypoints.http.conditional import HeldTags
from filmflare.entrypoints.http.deps import ContainerDep, IfNoneMatch
from filmflare.entrypoints.http.responses import cache_control, search_like_answer
from filmflare.entrypoints.http.routing import readable

router = APIRouter(tags=["search"], default_response_class=Response)
_MALFORMED = "A malformed `If-None-Match`."


def _answer(found: Digested, held: HeldTags | None, container: Container) -> Response:
    """The answer as the fast path in front gives it (``search_like_answer``)."""
    control = cache_control(container.settings.http_max_age)
    return search_like_answer(found, held, control).response()


@readable(
    router,
    "/movies",
    summary="Search and list movies",
    responses={
        **doc.search_like("A page of results.", "SearchPage"),
        **doc.problems(
            400,
            422,
            503,
            s400="`page` × `per_page` over 10 000, a cursor that is damaged or belongs "
            "to other parameters, or a malformed `If-None-Match`.",
            s422="An unknown parameter, a bad value, a parameter given twice, or a range "
            "whose lower bound exceeds its upper.",
        ),
    },
    openapi_extra={"parameters": [*doc.SEARCH_PARAMETERS, doc.IF_NONE_MATCH]},
)
async def search_movies(held: IfNoneMatch, request: Request, container: ContainerDep) -> Response:
    """Filters exclude movies where the filtered field is null. `facets` and `highlight`
    appear in the answer only when asked for. Results are ordered by `sort`, ties by `id`.
    The weak `ETag` changes whenever the answer does."""
    criteria = parse_search_params(request.query_params.multi_items())
    return _answer(await container.search_movies.execute(criteria), held, container)


@readable(
    router,
    "/movies/suggest",
    summary="Complete a title as the user types",
    responses={
        **doc.search_like("Best match first, then most votes.", "Suggestions"),
        **doc.problems(400, 422, 503, s400=_MALFORMED),
    },
    openapi_extra={"parameters": [*doc.SUGGEST_PARAMETERS, doc.IF_NONE_MATCH]},
)
async def suggest_titles(held: IfNoneMatch, request: Request, container: ContainerDep) -> Response:
    """Typo tolerant like `q`. The weak `ETag` changes whenever the answer does."""
    text, limit = parse_suggest_params(request.query_params.multi_items())
    return _answer(await container.suggest_titles.execute(text, limit), held, container)


@readable(
    router,
    "/genres",
    summary="Count movies per genre",
    responses={
        **doc.search_like("Most movies first.", "Genres"),
        **doc.problems(400, 422, 503, s400=_MALFORMED),
    },
    openapi_extra={"parameters": [doc.IF_NONE_MATCH]},
)
async def list_genres(held: IfNoneMatch, request: Request, container: ContainerDep) -> Response:
    """Spellings that differ only in case count as one genre, named by the most common one.
    The weak `ETag` changes whenever the answer does."""
    reject_params(request.query_params.multi_items())
    return _answer(await container.list_genres.execute(), held, container)
