"""A row of ``filmflare import``: the client fields, plus what a row written by
``filmflare export`` carries besides them.

An exported row holds ``id``, ``version``, ``created_at`` and ``updated_at``. They are read
only with ``keep_ids`` (``id`` and ``created_at``: the version starts again at 1 and
``updated_at`` is the import's time); without it they are left out, so an export imports
into any catalog as new movies (or updates, by ``external_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from filmflare.domain.errors import FieldError, ValidationFailed
from filmflare.domain.movie import MOVIE_ID, SERVER_FIELDS, MovieData
from filmflare.domain.rules import parse_movie_data


@dataclass(frozen=True, slots=True)
class ImportRow:
    data: MovieData
    movie_id: str | None = None  # kept from the row (``keep_ids``)
    created_at: datetime | None = None


def parse_import_row(raw: object, keep_ids: bool) -> ImportRow:
    """The row's movie, and with ``keep_ids`` its id and creation time; every broken rule
    is a ``ValidationFailed`` naming its field."""
    if not isinstance(raw, Mapping):
        return ImportRow(parse_movie_data(raw))
    client = {key: value for key, value in raw.items() if key not in SERVER_FIELDS}
    if not keep_ids:
        return ImportRow(parse_movie_data(client))
    errors: list[FieldError] = []
    movie_id = raw.get("id")
    if not isinstance(movie_id, str) or not MOVIE_ID.fullmatch(movie_id):
        errors.append(FieldError("id", "--keep-ids needs the id of an exported movie"))
        movie_id = None
    created_at = _moment(raw.get("created_at"), errors)
    try:
        data = parse_movie_data(client)
    except ValidationFailed as failed:
        errors += failed.errors
    if errors:
        raise ValidationFailed(errors)
    return ImportRow(data, movie_id, created_at)


def _moment(value: object, errors: list[FieldError]) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    errors.append(FieldError("created_at", "must be an RFC 3339 time with its offset"))
    return None
