"""Public signing keys from a JWKS URL, looked up by ``kid``.

PyJWT's ``PyJWKClient`` fetches with blocking ``urllib``, so it runs in a worker thread. It
caches the key set for ``lifespan`` seconds and refetches for an unknown ``kid`` at most once
per ``cooldown`` seconds, so a flood of tokens naming made-up keys cannot flood the issuer.
Keys found are also kept here for ``lifespan`` seconds, so most requests never leave the
event loop.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt

from filmflare.domain.errors import BackendUnavailable, Unauthenticated


class JwksKeys:
    """The keys published at ``url``."""

    def __init__(
        self, url: str, lifespan: float = 300.0, cooldown: float = 30.0, timeout: float = 5.0
    ) -> None:
        try:
            self._client = jwt.PyJWKClient(
                url, lifespan=lifespan, cooldown_duration=cooldown, timeout=timeout
            )
        except jwt.PyJWKClientError as error:
            raise ValueError(f"unusable JWKS URL {url!r}: {error}") from error
        self._lifespan = lifespan
        self._keys: dict[str, tuple[jwt.PyJWK, float]] = {}
        self._lock = asyncio.Lock()

    async def key_for(self, kid: object, algorithm: str) -> Any:
        """The public key named ``kid``, if it is a key for ``algorithm``."""
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token does not name its signing key (kid)")
        jwk = self._cached(kid) or await self._fetch(kid)
        # A key signs with exactly one algorithm: an RSA key never verifies an ES256 token.
        if jwk.algorithm_name != algorithm:
            raise Unauthenticated(f"key {kid!r} is not an {algorithm} key")
        return jwk.key

    def _cached(self, kid: str) -> jwt.PyJWK | None:
        entry = self._keys.get(kid)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    async def _fetch(self, kid: str) -> jwt.PyJWK:
        async with self._lock:  # one lookup at a time; waiters then find the key cached
            found = self._cached(kid)
            if found is not None:
                return found
            try:
                found = await asyncio.to_thread(self._client.get_signing_key, kid)
            except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
                raise BackendUnavailable("jwks", str(error)) from error
            except jwt.PyJWTError as error:
                raise Unauthenticated(f"unknown signing key {kid!r}") from error
            self._keys[kid] = (found, time.monotonic() + self._lifespan)
            return found
