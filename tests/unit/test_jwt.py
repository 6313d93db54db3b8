"""Bearer tokens: HS256 with the secret, RS256/ES256 from a real JWKS document over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from filmflare.adapters.jwt import JwtVerifier, mint_token
from filmflare.domain.errors import BackendUnavailable, Unauthenticated

pytestmark = pytest.mark.anyio

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123456789"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_jwk(kid: str, key: Any) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    assert isinstance(jwk, dict)
    return {**jwk, "kid": kid, "use": "sig"}


@dataclass
class Jwks:
    """A JWKS endpoint on 127.0.0.1: ``keys`` is what it serves, ``hits`` how often."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    hits: int = 0


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    state = Jwks(keys=[public_jwk("rsa-1", RSA_KEY), public_jwk("ec-1", EC_KEY)])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "alice", "iat": now, "exp": now + 600, **extra}


def hs256(payload: dict[str, Any], key: str = SECRET, **headers: Any) -> str:
    return jwt.encode(payload, key, algorithm="HS256", headers=headers or None)


def signed(payload: dict[str, Any], key: Any, algorithm: str, kid: str | None) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    """A token PyJWT would refuse to sign: ``alg: none`` or HMAC keyed with a public key."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if key is None:
        return signing_input + "."
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def secret_verifier(**options: Any) -> JwtVerifier:
    return JwtVerifier(SECRET, None, options.get("issuer"), options.get("audience"))


async def rejected(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as raised:
        await verifier.verify(token)
    return str(raised.value)


# -- HS256 -------------------------------------------------------------------------------


async def test_hs256_token_names_its_subject_and_grants() -> None:
    principal = await secret_verifier().verify(hs256(claims(scope="movies:read movies:write")))
    assert principal.subject == "alice"
    assert principal.scopes == {"movies:read", "movies:write"}
    assert principal.can_write


@pytest.mark.parametrize(
    ("grants", "can_write"),
    [
        ({"scope": "movies:write"}, True),
        ({"scp": ["movies:read", "movies:write"]}, True),
        ({"scp": "movies:write"}, True),
        ({"roles": ["editor"]}, True),
        ({"roles": ["admin", "viewer"]}, True),
        ({"scope": "movies:read", "roles": ["viewer"]}, False),
        ({"scope": "movies:writer"}, False),
        ({}, False),
    ],
)
async def test_write_grants(grants: dict[str, Any], can_write: bool) -> None:
    principal = await secret_verifier().verify(hs256(claims(**grants)))
    assert principal.can_write is can_write


@pytest.mark.parametrize("grants", [{"scope": 7}, {"scp": ["ok", 3]}, {"roles": {"a": 1}}])
async def test_malformed_grant_claims_are_refused(grants: dict[str, Any]) -> None:
    assert "claim" in await rejected(secret_verifier(), hs256(claims(**grants)))


async def test_expired_token_is_refused() -> None:
    now = int(time.time())
    token = hs256(claims(iat=now - 7200, exp=now - 3600))
    assert "expired" in await rejected(secret_verifier(), token)


async def test_token_without_exp_is_refused() -> None:
    payload = claims()
    del payload["exp"]
    assert "exp" in await rejected(secret_verifier(), hs256(payload))


async def test_token_not_yet_valid_is_refused() -> None:
    await rejected(secret_verifier(), hs256(claims(nbf=int(time.time()) + 3600)))


async def test_issuer_is_checked_when_configured() -> None:
    verifier = secret_verifier(issuer="https://issuer.example")
    assert (await verifier.verify(hs256(claims(iss="https://issuer.example")))).subject == "alice"
    await rejected(verifier, hs256(claims(iss="https://evil.example")))
    await rejected(verifier, hs256(claims()))
    assert await secret_verifier().verify(hs256(claims(iss="https://any.example")))


async def test_audience_is_checked_when_configured() -> None:
    verifier = secret_verifier(audience="filmflare")
    assert await verifier.verify(hs256(claims(aud="filmflare")))
    assert await verifier.verify(hs256(claims(aud=["other", "filmflare"])))
    await rejected(verifier, hs256(claims(aud="other")))
    await rejected(verifier, hs256(claims()))
    assert await secret_verifier().verify(hs256(claims(aud="whatever")))


async def test_bad_signature_is_refused() -> None:
    await rejected(secret_verifier(), hs256(claims(scope="movies:write"), key="x" * 64))
    header, _payload, signature = hs256(claims()).split(".")
    forged = b64(json.dumps(claims(scope="movies:write")).encode())
    await rejected(secret_verifier(), f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30"])
async def test_malformed_token_is_refused(token: str) -> None:
    await rejected(secret_verifier(), token)


async def test_alg_none_is_refused(jwks: Jwks) -> None:
    token = handmade({"alg": "none", "typ": "JWT"}, claims(scope="movies:write"), None)
    await rejected(secret_verifier(), token)
    await rejected(JwtVerifier(SECRET, jwks.url, None, None), token)
    await rejected(JwtVerifier(SECRET, jwks.url, None, None), token.replace("none", "None"))


@pytest.mark.parametrize("alg", [["HS256"], {"HS256": 1}, None, 256])
async def test_header_without_an_algorithm_name_is_refused(jwks: Jwks, alg: object) -> None:
    token = handmade({"alg": alg, "kid": "rsa-1"}, claims(), SECRET.encode())
    await rejected(JwtVerifier(SECRET, jwks.url, None, None), token)


async def test_other_hmac_algorithms_are_refused() -> None:
    token = jwt.encode(claims(), SECRET * 2, algorithm="HS512")
    assert "HS512" in await rejected(JwtVerifier(SECRET * 2, None, None, None), token)


async def test_without_secret_or_jwks_every_token_is_refused() -> None:
    await rejected(JwtVerifier(None, None, None, None), hs256(claims(scope="movies:write")))
    empty_key = handmade({"alg": "HS256", "typ": "JWT"}, claims(), b"")
    await rejected(JwtVerifier("", None, None, None), empty_key)


async def test_minted_token_verifies() -> None:
    token = mint_token(SECRET, roles=("editor",), issuer="me", audience="filmflare")
    principal = await secret_verifier(issuer="me", audience="filmflare").verify(token)
    assert principal.subject == "dev"
    assert principal.scopes == {"movies:write"}
    assert principal.roles == {"editor"}
    plain = await secret_verifier().verify(mint_token(SECRET, subject="bob", scopes=()))
    assert (plain.subject, plain.can_write) == ("bob", False)
    assert "expired" in await rejected(secret_verifier(), mint_token(SECRET, ttl_seconds=-60))


# -- RS256 / ES256 by JWKS ---------------------------------------------------------------


async def test_rs256_and_es256_tokens_verify_by_kid(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None)
    rsa_token = signed(claims(scope="movies:write"), RSA_KEY, "RS256", "rsa-1")
    ec_token = signed(claims(roles=["admin"], sub="ec"), EC_KEY, "ES256", "ec-1")
    assert (await verifier.verify(rsa_token)).can_write
    ec_principal = await verifier.verify(ec_token)
    assert (ec_principal.subject, ec_principal.can_write) == ("ec", True)
    for _ in range(5):
        await verifier.verify(rsa_token)
        await verifier.verify(ec_token)
    assert jwks.hits == 1  # keys are cached


async def test_jwks_token_checks_claims_too(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, "https://idp.example", "filmflare")
    good = claims(iss="https://idp.example", aud="filmflare")
    assert await verifier.verify(signed(good, RSA_KEY, "RS256", "rsa-1"))
    await rejected(verifier, signed({**good, "aud": "other"}, RSA_KEY, "RS256", "rsa-1"))
    await rejected(verifier, signed({**good, "iss": "https://evil"}, EC_KEY, "ES256", "ec-1"))
    await rejected(verifier, signed({**good, "exp": 1}, RSA_KEY, "RS256", "rsa-1"))


async def test_jwks_token_signed_by_another_key_is_refused(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None)
    await rejected(verifier, signed(claims(), OTHER_RSA_KEY, "RS256", "rsa-1"))


async def test_key_must_match_the_algorithm(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None)
    await rejected(verifier, signed(claims(), EC_KEY, "ES256", "rsa-1"))
    await rejected(verifier, signed(claims(), RSA_KEY, "RS256", "ec-1"))
    assert "PS256" in await rejected(verifier, signed(claims(), RSA_KEY, "PS256", "rsa-1"))


async def test_public_key_is_never_an_hmac_secret(jwks: Jwks) -> None:
    pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = handmade({"alg": "HS256", "kid": "rsa-1"}, claims(scope="movies:write"), pem)
    await rejected(JwtVerifier(None, jwks.url, None, None), token)
    await rejected(JwtVerifier(SECRET, jwks.url, None, None), token)


async def test_hs256_needs_the_secret_even_with_jwks(jwks: Jwks) -> None:
    await rejected(JwtVerifier(None, jwks.url, None, None), hs256(claims()))
    both = JwtVerifier(SECRET, jwks.url, None, None)
    assert await both.verify(hs256(claims()))
    assert await both.verify(signed(claims(), EC_KEY, "ES256", "ec-1"))
    await rejected(secret_verifier(), signed(claims(), RSA_KEY, "RS256", "rsa-1"))


async def test_token_without_kid_is_refused(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None)
    assert "kid" in await rejected(verifier, signed(claims(), RSA_KEY, "RS256", None))


async def test_unknown_kid_refetches_at_most_once_per_cooldown(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None)
    await verifier.verify(signed(claims(), RSA_KEY, "RS256", "rsa-1"))
    for _ in range(5):
        await rejected(verifier, signed(claims(), OTHER_RSA_KEY, "RS256", "made-up"))
    assert jwks.hits == 1


async def test_rotated_key_is_fetched_when_first_seen(jwks: Jwks) -> None:
    verifier = JwtVerifier(None, jwks.url, None, None, jwks_cooldown=0)
    await verifier.verify(signed(claims(), RSA_KEY, "RS256", "rsa-1"))
    jwks.keys.append(public_jwk("rsa-2", OTHER_RSA_KEY))
    principal = await verifier.verify(signed(claims(sub="new"), OTHER_RSA_KEY, "RS256", "rsa-2"))
    assert principal.subject == "new"
    assert jwks.hits == 2


async def test_unreachable_jwks_is_unavailable_not_unauthenticated() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verifier = JwtVerifier(None, f"http://127.0.0.1:{port}/jwks.json", None, None)
    with pytest.raises(BackendUnavailable, match="jwks"):
        await verifier.verify(signed(claims(), RSA_KEY, "RS256", "rsa-1"))
    await verifier.start()
    await verifier.close()


def test_jwks_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="JWKS"):
        JwtVerifier(None, "file:///etc/passwd", None, None)
