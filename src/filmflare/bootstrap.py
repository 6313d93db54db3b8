"""The composition root: the one place that turns settings into adapters and use cases."""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from prometheus_client.registry import Collector

from filmflare.adapters import search_engine  # loads only the SDK of the engine used
from filmflare.adapters.clock import SystemClock
from filmflare.adapters.embedded_search import EmbeddedSearchIndex
from filmflare.adapters.jwt import JwtVerifier, mint_token
from filmflare.adapters.memory import (
    Generations,
    MemoryCache,
    MemoryCacheMetrics,
    MemoryRateLimiter,
    NoCache,
)
from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.application.add_movie import AddMovie
from filmflare.application.cache_keys import GENERATIONS
from filmflare.application.check_readiness import CheckReadiness
from filmflare.application.delete_movie import DeleteMovie
from filmflare.application.get_movie import GetMovie
from filmflare.application.import_movies import ImportMovies
from filmflare.application.indexer import Indexer
from filmflare.application.list_genres import ListGenres
from filmflare.application.patch_movie import PatchMovie
from filmflare.application.reindex import Reindex
from filmflare.application.replace_movie import ReplaceMovie
from filmflare.application.response_cache import ResponseCache
from filmflare.application.revise import Reviser
from filmflare.application.search_movies import SearchMovies
from filmflare.application.suggest_titles import SuggestTitles
from filmflare.config import Settings
from filmflare.ports.cache import Cache
from filmflare.ports.clock import Clock
from filmflare.ports.rate_limiter import Rate, RateLimiter
from filmflare.ports.repository import ChangeFeed, MovieRepository
from filmflare.ports.search_index import MovieSearchIndex
from filmflare.ports.tokens import TokenVerifier

if TYPE_CHECKING:  # the production SDKs load only when their backend is configured
    from filmflare.adapters.dynamodb import DynamoMovieRepository
    from filmflare.adapters.redis import RedisConnection

DEV_SECRET_FILE = "dev-jwt-secret"  # noqa: S105 - a file name, not a secret
GENERATIONS_FILE = "cache-generations"


class ConfigurationError(Exception):
    """The settings cannot make a working service; the message says what to set."""


@dataclass
class Container:
    """Every adapter and use case of one process. ``async with`` starts and closes them."""

    settings: Settings
    repository: MovieRepository
    feed: ChangeFeed
    index: MovieSearchIndex
    cache: Cache
    tokens: TokenVerifier
    clock: Clock
    indexer: Indexer
    add_movie: AddMovie
    get_movie: GetMovie
    replace_movie: ReplaceMovie
    patch_movie: PatchMovie
    delete_movie: DeleteMovie
    search_movies: SearchMovies
    suggest_titles: SuggestTitles
    list_genres: ListGenres
    import_movies: ImportMovies
    reindex: Reindex
    readiness: CheckReadiness
    dev_secret: str | None = None
    rate_limiter: RateLimiter | None = None  # None: no rate limit
    collectors: list[Collector] = field(default_factory=list)  # adapters' metrics
    _resources: list[Any] = field(default_factory=list)

    async def __aenter__(self) -> Container:
        for resource in self._resources:
            await resource.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for resource in reversed(self._resources):
            await resource.close()

    @property
    def backends(self) -> dict[str, str]:
        """The kind of each backend, as configured: what ``/readyz`` reports it as."""
        settings = self.settings
        return {"store": settings.store, "search": settings.search, "cache": settings.cache}

    async def init(self) -> None:
        """Create tables and indexes (idempotent): ``filmflare init``."""
        await self.repository.ensure()
        await self.index.ensure()


def build(settings: Settings, **overrides: Any) -> Container:
    """Wire adapters for ``settings``; ``overrides`` replace any adapter by name (tests).

    Raises ``ConfigurationError`` listing every missing or contradictory setting, before
    anything connects: a deployment fails at start, not at its first request.
    """
    problems = settings.problems() + _environment_problems(settings)
    if problems:
        raise ConfigurationError("\n  ".join(["the settings cannot make a service:", *problems]))
    repository = overrides.get("repository") or _repository(settings)
    feed = overrides.get("feed") or repository
    index = overrides.get("index") or _index(settings)
    redis = _redis(settings)
    cache = overrides.get("cache") or _cache(settings, redis)
    rate_limiter = overrides.get("rate_limiter") or _rate_limiter(settings, redis)
    secret = _jwt_secret(settings)
    tokens = overrides.get("tokens") or JwtVerifier(
        secret=secret,
        jwks_url=settings.jwt_jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    clock = overrides.get("clock") or SystemClock()
    responses = ResponseCache(cache, coalesce=not isinstance(cache, NoCache))
    indexer = Indexer(feed, index, responses)
    reviser = Reviser(repository, responses, indexer, clock)
    return Container(
        settings=settings,
        repository=repository,
        feed=feed,
        index=index,
        cache=cache,
        tokens=tokens,
        clock=clock,
        indexer=indexer,
        add_movie=AddMovie(repository, indexer, clock),
        get_movie=GetMovie(repository, responses),
        replace_movie=ReplaceMovie(reviser),
        patch_movie=PatchMovie(reviser),
        delete_movie=DeleteMovie(repository, reviser),
        search_movies=SearchMovies(index, responses),
        suggest_titles=SuggestTitles(index, responses),
        list_genres=ListGenres(index, responses),
        import_movies=ImportMovies(repository, indexer, clock),
        reindex=Reindex(repository, index, indexer),
        readiness=CheckReadiness(
            {
                "store": repository.ping,
                "search": _search_ready(index, indexer),
                "cache": cache.ping,
            },
            optional=["cache"],
        ),
        dev_secret=secret if settings.jwt_secret is None else None,
        rate_limiter=rate_limiter,
        collectors=_collectors(cache, redis),
        _resources=[
            resource
            for resource in dict.fromkeys([repository, feed, index, cache, tokens, rate_limiter])
            if resource is not None
        ],
    )


def _search_ready(index: MovieSearchIndex, indexer: Indexer) -> Callable[[], Awaitable[None]]:
    """The index answers, and holds what the change feed held when this process started."""

    async def ping() -> None:
        await index.ping()
        await indexer.check()

    return ping


def _collectors(cache: Cache, redis: RedisConnection | None) -> list[Collector]:
    """The adapters' metrics for ``/metrics``."""
    if redis is not None:
        return [redis.metrics]
    if isinstance(cache, MemoryCache):
        return [MemoryCacheMetrics(cache)]
    return []


def build_from_environment(**overrides: Any) -> Container:
    return build(Settings(), **overrides)


def _environment_problems(settings: Settings) -> list[str]:
    """What the SDKs will find missing in the environment (beyond FILMFLARE_*)."""
    if settings.store == "dynamodb" and not settings.dynamodb_endpoint:
        from filmflare.adapters.dynamodb import region_problem

        problem = region_problem()
        return [problem] if problem else []
    return []


def _repository(settings: Settings) -> SqliteMovieRepository | DynamoMovieRepository:
    if settings.store == "dynamodb":
        from filmflare.adapters.dynamodb import DynamoMovieRepository

        # No endpoint on AWS: the SDK finds it, the region and the credentials itself.
        return DynamoMovieRepository(settings.dynamodb_table, settings.dynamodb_endpoint or None)
    if settings.store != "sqlite":
        raise ConfigurationError(f"FILMFLARE_STORE={settings.store} is not supported by this build")
    return SqliteMovieRepository(settings.data_dir / "filmflare.sqlite3")


def _index(settings: Settings) -> MovieSearchIndex:
    if settings.search == "embedded":
        return EmbeddedSearchIndex(settings.data_dir / "search-index")
    url = settings.search_url or ""  # settings.problems() refused an empty one
    if settings.search == "opensearch":
        return search_engine.OpenSearchIndex(url, settings.search_index)
    if settings.search == "elasticsearch":
        return search_engine.ElasticsearchIndex(url, settings.search_index)
    raise ConfigurationError(f"FILMFLARE_SEARCH={settings.search} is not supported by this build")


def _redis(settings: Settings) -> RedisConnection | None:
    """The process's one Redis client, shared by the cache and the rate limiter."""
    if settings.cache != "redis" or not settings.redis_url:
        return None
    from filmflare.adapters.redis import RedisConnection

    return RedisConnection(
        settings.redis_url, timeout=settings.redis_timeout_seconds, cluster=settings.redis_cluster
    )


def _cache(settings: Settings, redis: RedisConnection | None = None) -> Cache:
    if settings.cache == "memory":
        # Every process using this data directory (the server's workers, `filmflare import`)
        # shares the generations, so a write in one retires what the others cached.
        shared = Generations(settings.data_dir / GENERATIONS_FILE)
        return MemoryCache(max_bytes=settings.cache_max_bytes, generations=shared)
    if settings.cache == "none":
        return NoCache()
    if redis is not None:
        from filmflare.adapters.redis import RedisCache

        # The generations are what a recovery after a lost invalidation must move on.
        return RedisCache(redis, settings.redis_prefix, GENERATIONS)
    raise ConfigurationError(f"FILMFLARE_CACHE={settings.cache} is not supported by this build")


def _rate_limiter(settings: Settings, redis: RedisConnection | None) -> RateLimiter | None:
    """Per client: in Redis when it is configured (replicas share the count), else here."""
    if settings.rate_limit is None:
        return None
    try:
        rate = Rate.parse(settings.rate_limit)
    except ValueError as error:
        raise ConfigurationError(f"FILMFLARE_RATE_LIMIT: {error}") from error
    if redis is not None:
        from filmflare.adapters.redis import RedisRateLimiter

        return RedisRateLimiter(redis, rate, settings.redis_prefix)
    return MemoryRateLimiter(rate)


def _jwt_secret(settings: Settings) -> str | None:
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
