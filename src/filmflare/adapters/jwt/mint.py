"""Minting development tokens (``filmflare token``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import jwt


def mint_token(
    secret: str,
    subject: str = "dev",
    scopes: Sequence[str] = ("movies:write",),
    roles: Sequence[str] = (),
    ttl_seconds: int = 3600,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """An HS256 token for ``subject`` that expires in ``ttl_seconds``."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "iat": now, "exp": now + ttl_seconds}
    if scopes:
        claims["scope"] = " ".join(scopes)
    if roles:
        claims["roles"] = list(roles)
    if issuer is not None:
        claims["iss"] = issuer
    if audience is not None:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
