"""``TokenVerifier`` with PyJWT: HS256 with a shared secret, RS256/ES256 by a JWKS key.

The algorithm a token claims only picks which configured key may check it: HS256 is tried
with the secret alone and RS256/ES256 with JWKS keys alone, so a public key can never be
used as an HMAC secret, and ``none`` or any other algorithm is refused outright.
"""

from __future__ import annotations

from typing import Any

import jwt

from filmflare.adapters.jwt.claims import principal
from filmflare.adapters.jwt.keys import JwksKeys
from filmflare.domain.auth import Principal
from filmflare.domain.errors import Unauthenticated

JWKS_ALGORITHMS = frozenset({"RS256", "ES256"})


class JwtVerifier:
    """Checks bearer tokens; with neither ``secret`` nor ``jwks_url`` every token fails.

    ``exp`` is required; ``iss`` and ``aud`` are checked only when ``issuer`` and
    ``audience`` are configured. ``leeway`` allows for clock skew with the token issuer.
    An unreachable JWKS URL is ``BackendUnavailable``, not the caller's fault.
    """

    def __init__(
        self,
        secret: str | None,
        jwks_url: str | None,
        issuer: str | None,
        audience: str | None,
        *,
        leeway: float = 10.0,
        jwks_cooldown: float = 30.0,
    ) -> None:
        self._secret = secret or None
        self._keys = JwksKeys(jwks_url, cooldown=jwks_cooldown) if jwks_url else None
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    async def start(self) -> None:
        """Nothing to open: JWKS keys are fetched when a token first needs them."""

    async def close(self) -> None:
        """Nothing to release."""

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"malformed token: {error}") from error
        algorithm = header.get("alg")
        if not isinstance(algorithm, str):
            raise Unauthenticated("the token header names no algorithm")
        key: Any
        if algorithm == "HS256" and self._secret is not None:
            key = self._secret
        elif algorithm in JWKS_ALGORITHMS and self._keys is not None:
            key = await self._keys.key_for(header.get("kid"), algorithm)
        else:
            raise Unauthenticated(f"tokens signed with {algorithm!r} are not accepted")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                options={"require": ["exp"], "verify_aud": self._audience is not None},
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(str(error)) from error
        return principal(claims)
