"""Settings from the environment (``FILMFLARE_*``) and an optional ``.env`` file.

Read only by ``bootstrap``; nothing here connects or opens files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FILMFLARE_", env_file=".env", extra="ignore", frozen=True
    )

    store: Literal["sqlite", "dynamodb"] = "sqlite"
    search: Literal["embedded", "opensearch", "elasticsearch"] = "embedded"
    cache: Literal["memory", "redis", "none"] = "memory"
    data_dir: Path = Path("./data")

    dynamodb_table: str = "filmflare-movies"
    dynamodb_endpoint: str | None = None
    search_url: str | None = None
    search_index: str = "movies"
    redis_url: str | None = None

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    cache_entries: int = Field(default=50_000, ge=0)
    index_poll_seconds: float = Field(default=1.0, gt=0)

    @property
    def embedded(self) -> bool:
        """True when no production backend is configured."""
        return self.store == "sqlite" and self.search == "embedded" and self.cache != "redis"
