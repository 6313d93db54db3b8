"""Checking bearer tokens."""

from __future__ import annotations

from typing import Protocol

from filmflare.domain.auth import Principal


class TokenVerifier(Protocol):
    """``verify`` returns who the token speaks for, or raises ``Unauthenticated`` (missing
    ``exp``, expired, wrong issuer or audience, bad signature, ``alg: none``, unknown key)."""

    async def verify(self, token: str) -> Principal: ...

    async def close(self) -> None: ...
