"""Bearer tokens: ``JwtVerifier`` checks them, ``mint_token`` makes development ones."""

from filmflare.adapters.jwt.mint import mint_token
from filmflare.adapters.jwt.verifier import JwtVerifier

__all__ = ["JwtVerifier", "mint_token"]
