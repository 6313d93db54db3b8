"""Settings from the environment (``FILMFLARE_*``) and an optional ``.env`` file.

Read only by ``bootstrap``; nothing here connects or opens files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FILMFLARE_", env_file=".env", extra="ignore", frozen=True
    )

    store: Literal["sqlite", "dynamodb"] = "sqlite"
    search: Literal["embedded", "opensearch", "elasticsearch"] = "embedded"
    cache: Literal["memory", "redis", "none"] = "memory"
    data_dir: Path = Path("./data")

    # DynamoDB's table-name rule, less room for the "-feed" table beside it.
    dynamodb_table: str = Field(default="filmflare-movies", pattern=r"^[A-Za-z0-9_.-]{3,250}$")
    dynamodb_endpoint: str | None = None
    search_url: str | None = None
    # The alias queries name (its generations are "<alias>_v1", "<alias>_v2", ...).
    search_index: str = Field(default="movies", pattern=r"^[a-z0-9][a-z0-9_-]{0,200}$")
    redis_url: str | None = None
    redis_prefix: str = "filmflare:"
    # Short on purpose: a slow Redis must cost a request little before it falls back.
    redis_timeout_seconds: float = Field(default=0.1, gt=0)
    # "REQUESTS/SECONDS" per client (token subject, else IP); unset or empty: no limit.
    rate_limit: str | None = Field(default=None, pattern=r"^\s*\d+\s*/\s*\d+(\.\d+)?\s*$")

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cache_entries: int = Field(default=50_000, ge=0)
    index_poll_seconds: float = Field(default=1.0, gt=0)

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _empty_rate_limit_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def embedded(self) -> bool:
        """True when no production backend is configured."""
        return self.store == "sqlite" and self.search == "embedded" and self.cache != "redis"
