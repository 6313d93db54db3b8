"""Opaque cursors: an engine's position, tied to the query that produced it.

A cursor comes back from the client, so it is checked whole where it is decoded: a short
list of strings, 64-bit integers and finite numbers, and a page number every JSON client
reads exactly. Anything else is a 400 here, so no adapter ever sees a position it could
choke on (an integer its encoder cannot write, a NaN, a list of a million items).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass

from filmflare.domain.errors import BadRequest
from filmflare.domain.search import Position

#: The longest cursor taken, in characters: as long as a request's whole header section may
#: be (API.md, Limits). A title sort's cursor holds the whole folded title, so it may run to
#: a few thousand characters; 500, the limit of other text, was too short for long titles.
MAX_CURSOR_LENGTH = 16 * 1024
#: Items of a position: each engine's sort values (at most three today), with room to spare.
MAX_POSITION_ITEMS = 8
#: Integers a position may hold: any 64-bit engine value, signed (a ``long``) or unsigned
#: (the embedded index's ranks, up to 2**64 - 1).
POSITION_INTEGERS = range(-(2**63), 2**64)
#: The largest page a cursor may name: the largest integer every JSON client reads exactly.
MAX_PAGE = 2**53 - 1
_NOT_VALID = "cursor is not valid; start again without it"
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")  # base64url, unpadded, as ``encode`` writes it


@dataclass(frozen=True, slots=True)
class Cursor:
    fingerprint: str
    page: int
    position: Position

    def encode(self) -> str:
        payload = json.dumps(
            {"f": self.fingerprint, "n": self.page, "p": self.position}, separators=(",", ":")
        )
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, fingerprint: str) -> Cursor:
        """Read a cursor; one that is damaged or came from another query is a 400."""
        if len(token) > MAX_CURSOR_LENGTH or not _ALPHABET.fullmatch(token):
            raise BadRequest(_NOT_VALID)
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError, RecursionError):  # RecursionError: [[[[…
            raise BadRequest(_NOT_VALID) from None
        cursor = _read(data)
        if cursor.fingerprint != fingerprint:
            raise BadRequest("cursor does not belong to this query; send the same parameters")
        return cursor


def _read(data: object) -> Cursor:
    if not isinstance(data, dict) or data.keys() != {"f", "n", "p"}:
        raise BadRequest(_NOT_VALID)
    found, page, position = data["f"], data["n"], data["p"]
    if (
        not isinstance(found, str)
        or type(page) is not int
        or not 2 <= page <= MAX_PAGE
        or not isinstance(position, list)
        or not 1 <= len(position) <= MAX_POSITION_ITEMS
        or not all(_fits(value) for value in position)
    ):
        raise BadRequest(_NOT_VALID)
    return Cursor(found, page, position)


def _fits(value: object) -> bool:
    """A sort value any engine can be handed back: text, a 64-bit integer, a finite number."""
    if type(value) is int:
        return value in POSITION_INTEGERS
    if type(value) is float:
        return math.isfinite(value)
    return isinstance(value, str)
