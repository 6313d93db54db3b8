"""Opaque cursors: an engine's position, tied to the query that produced it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from filmflare.domain.errors import BadRequest
from filmflare.domain.search import Position


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
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(raw)
            cursor = cls(str(data["f"]), int(data["n"]), list(data["p"]))
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise BadRequest("cursor is not valid; start again without it") from None
        if cursor.fingerprint != fingerprint or cursor.page < 2:
            raise BadRequest("cursor does not belong to this query; send the same parameters")
        return cursor
