"""Route registration: the movie id path segment, and ``HEAD`` for every ``GET``.

Only a well-formed id matches ``MOVIE_PATH``, so ``/movies/suggest`` is never taken for an id
(``PUT /movies/suggest`` is a 405, not a 404), and any other segment is simply not found.
Every ``GET`` also answers ``HEAD`` (RFC 9110 §9.3.2); that twin is left out of the OpenAPI
document, which says so once in its description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from starlette.convertors import Convertor, register_url_convertor

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
MOVIE_PATH = "/movies/{movie_id:movie_id}"


class MovieIdConvertor(Convertor[str]):
    """The ids ``domain.movie.new_movie_id`` makes: 16 characters of [0-9a-z]."""

    regex = "[0-9a-z]{16}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("movie_id", MovieIdConvertor())


def readable(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Like ``router.get(path, **options)``, plus an undocumented ``HEAD`` route."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **options)
        return endpoint

    return register
