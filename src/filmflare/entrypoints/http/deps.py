"""Dependencies shared by the routes, as ``Annotated`` aliases.

Only the bearer scheme is declared to FastAPI (for the OpenAPI security scheme); every other
input is read from the raw request so that the domain parsers, not FastAPI, decide what is
valid and every rejection has the same problem format.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from filmflare.bootstrap import Container
from filmflare.domain.auth import Principal
from filmflare.domain.errors import Unauthenticated
from filmflare.domain.preconditions import VersionMatch
from filmflare.entrypoints.http.conditional import HeldTags, if_match, if_none_match

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description=(
        "A JWT (HS256 with the configured secret, or RS256/ES256 from the configured JWKS) "
        "whose `scope` or `scp` holds `movies:write`, or whose `roles` hold `editor` or `admin`."
    ),
)
# RFC 6750 b64token.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


# The dependencies below are ``async`` though they never wait: FastAPI runs a plain ``def``
# dependency in its thread pool, which cost about half of a cached read's time.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def require_writer(
    request: Request,
    container: Annotated[Container, Depends(get_container)],
    _documented: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Principal:
    """401 without a usable bearer token, 403 when the token does not grant writing."""
    headers = request.headers.getlist("authorization")
    if not headers:
        raise Unauthenticated("this request needs Authorization: Bearer <token>")
    scheme, _, token = headers[0].strip().partition(" ")
    token = token.strip()
    if len(headers) > 1 or scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        raise Unauthenticated("the Authorization header must be one 'Bearer <token>'")
    principal = await container.tokens.verify(token)
    principal.require_write()
    return principal


def bearer_token(request: Request) -> str | None:
    """The token of the one well-formed ``Authorization: Bearer`` header, else None."""
    headers = request.headers.getlist("authorization")
    if len(headers) != 1:
        return None
    scheme, _, token = headers[0].strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and _TOKEN.fullmatch(token) else None


async def precondition(request: Request) -> VersionMatch | None:
    """``If-Match`` as a version precondition (400 when it is not a list of entity tags)."""
    values = request.headers.getlist("if-match")
    return if_match(", ".join(values)) if values else None


async def held_tags(request: Request) -> HeldTags | None:
    """``If-None-Match`` as the entity tags the client holds (400 when malformed)."""
    values = request.headers.getlist("if-none-match")
    return if_none_match(", ".join(values)) if values else None


async def movie_id(request: Request) -> str:
    """The path's movie id, well-formed (``routing.MOVIE_PATH`` matches no other)."""
    return str(request.path_params["movie_id"])


ContainerDep = Annotated[Container, Depends(get_container)]
Writer = Annotated[Principal, Depends(require_writer)]
IfMatch = Annotated[VersionMatch | None, Depends(precondition)]
IfNoneMatch = Annotated[HeldTags | None, Depends(held_tags)]
MovieId = Annotated[str, Depends(movie_id)]
