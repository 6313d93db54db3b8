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

    # "production": refuse to start unless every backend is a production one (no silent
    # fallback to the embedded ones when a variable is missing from a deployment).
    profile: Literal["production"] | None = None
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
    # Server processes for `filmflare serve`: a number, or "auto" for the CPUs this process
    # may use (its affinity and any cgroup CPU quota).
    workers: int | Literal["auto"] = 1
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    index_poll_seconds: float = Field(default=1.0, gt=0)
    # Seconds any HTTP cache may keep a search, suggestions or genre counts (Cache-Control:
    # public, max-age=N) before revalidating it by its ETag; 0 sends no-cache: revalidate
    # before every use. At most a day.
    http_max_age: int = Field(default=5, ge=0, le=86_400)

    # Limits every server process keeps by itself (API.md, Limits), proxy in front or not.
    # Open connections per worker; past it the oldest idle or unfinished one is closed.
    max_connections: int = Field(default=1000, ge=1, le=1_000_000)
    # A request's header section: bytes (request line included) and fields; past either, 431.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    max_headers: int = Field(default=100, ge=8, le=10_000)
    # A client that has not sent its whole header section in this time is disconnected.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=3600)
    # The memory cache's size per process, in bytes of keys and values (0 turns it off).
    cache_max_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # The Redis URL names one node of a Redis Cluster (or a managed Redis in cluster mode).
    redis_cluster: bool = False

    @field_validator("rate_limit", "profile", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def embedded(self) -> bool:
        """True when no production backend is configured."""
        return self.store == "sqlite" and self.search == "embedded" and self.cache != "redis"

    @field_validator("workers", mode="before")
    @classmethod
    def _workers(cls, value: object) -> object:
        if value == "auto" or (isinstance(value, int) and 1 <= value <= 512):
            return value
        if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 512:
            return int(value)
        raise ValueError(f"a number of processes from 1 to 512, or auto; not {value!r}")

    def problems(self) -> list[str]:
        """What keeps these settings from making the service they ask for, one line each."""
        found = []
        if self.search != "embedded" and not self.search_url:
            found.append(f"FILMFLARE_SEARCH={self.search} needs FILMFLARE_SEARCH_URL")
        if self.cache == "redis" and not self.redis_url:
            found.append("FILMFLARE_CACHE=redis needs FILMFLARE_REDIS_URL (redis://...)")
        production = self.profile == "production" or not self.embedded
        if production and not (self.jwt_secret or self.jwt_jwks_url):
            # Development tokens come from a secret kept on local disk: not for production.
            found.append(
                "production backends need FILMFLARE_JWT_SECRET or FILMFLARE_JWT_JWKS_URL "
                "(the generated development secret is for the embedded backends only)"
            )
        if self.profile == "production":
            found += self._production_problems()
        return found

    def _production_problems(self) -> list[str]:
        wanted = {
            "FILMFLARE_STORE=dynamodb": self.store == "dynamodb",
            "FILMFLARE_SEARCH=opensearch or elasticsearch": self.search != "embedded",
            "FILMFLARE_CACHE=redis": self.cache == "redis",
        }
        found = [
            f"FILMFLARE_PROFILE=production needs {need}" for need, met in wanted.items() if not met
        ]
        # HS256 with a short key can be brute-forced offline from one token.
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            found.append("FILMFLARE_JWT_SECRET must be at least 32 characters in production")
        return found
