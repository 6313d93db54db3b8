"""Reading a JSON request body: media type (415), size (413, see ``limits``), syntax (400).

The body is parsed as strict JSON (``strict_json``: orjson's strictness, and no member name
repeated in an object) into plain JSON values; what they must look like is the domain's
business (``rules.parse_movie_data``), so every field error has the same 422 format.
"""

from __future__ import annotations

from fastapi import Request

from filmflare.domain.errors import BadRequest
from filmflare.entrypoints import strict_json
from filmflare.entrypoints.http.problems import UnsupportedMediaType

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"


def _media_type(header: str) -> tuple[str, str | None]:
    """The bare media type (lower case) and its charset parameter, if any."""
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


def check_media_type(request: Request, accepted: tuple[str, ...]) -> None:
    """415 unless the body is declared as one of ``accepted`` (or ``application/*+json``)."""
    header = request.headers.get("content-type")
    if header is None:
        raise UnsupportedMediaType("send the body as JSON with Content-Type: " + accepted[0])
    media_type, charset = _media_type(header)
    json_like = media_type in accepted or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    if not json_like:
        raise UnsupportedMediaType(
            f"{media_type or 'an empty media type'} is not accepted here; use "
            + " or ".join(accepted)
        )
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not accepted; JSON is UTF-8")


async def read_json(request: Request, accepted: tuple[str, ...] = (JSON,)) -> object:
    """The parsed body; the limit middleware stops the read past 1 MiB."""
    check_media_type(request, accepted)
    raw = await request.body()
    try:
        return strict_json.loads(raw)
    except strict_json.InvalidJson as error:
        raise BadRequest(f"the body is not valid JSON: {error}") from None
