"""The HS256 secret of the development profile, and tokens minted with it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from filmflare.adapters.jwt import mint_token
from filmflare.bootstrap.container import ConfigurationError, Container
from filmflare.config import Settings

DEV_SECRET_FILE = "dev-jwt-secret"  # noqa: S105 - a file name, not a secret


def jwt_secret(settings: Settings) -> str | None:
    """The HS256 secret: configured, or on the embedded profile a generated one kept on disk."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    if settings.jwt_jwks_url or not settings.embedded:
        return None  # settings.problems() made sure a JWKS URL is configured
    return dev_secret(settings.data_dir)


def mint_development_token(
    container: Container,
    subject: str,
    scopes: Sequence[str],
    roles: Sequence[str],
    ttl: int,
) -> str:
    """An HS256 token for the configured secret (``filmflare token``), for development.

    A deployment that only trusts a JWKS URL has no secret here: its tokens come from its
    identity provider, so this raises ``ConfigurationError``.
    """
    settings = container.settings
    if settings.jwt_secret is not None:
        secret = settings.jwt_secret.get_secret_value()
    elif container.dev_secret is not None:
        secret = container.dev_secret
    else:
        raise ConfigurationError(
            "only FILMFLARE_JWT_JWKS_URL is configured: get tokens from its issuer, "
            "or set FILMFLARE_JWT_SECRET to mint HS256 ones"
        )
    return mint_token(
        secret=secret,
        subject=subject,
        scopes=tuple(scopes),
        roles=tuple(roles),
        ttl_seconds=ttl,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def dev_secret(data_dir: Path) -> str:
    """Read or create the development secret (file mode 600) in the data directory."""
    path = data_dir / DEV_SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(secret)
    return secret
