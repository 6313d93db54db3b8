"""The adapter each setting names, made without connecting (``start`` connects)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client.registry import Collector

from filmflare.adapters import search_engine  # loads only the SDK of the engine used
from filmflare.adapters.embedded_search import EmbeddedSearchIndex
from filmflare.adapters.memory import (
    Generations,
    MemoryCache,
    MemoryCacheMetrics,
    MemoryRateLimiter,
    NoCache,
)
from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.application.cache_keys import GENERATIONS
from filmflare.application.indexer import Indexer
from filmflare.bootstrap.container import ConfigurationError
from filmflare.config import Settings
from filmflare.ports.cache import Cache
from filmflare.ports.rate_limiter import Rate, RateLimiter
from filmflare.ports.search_index import MovieSearchIndex

if TYPE_CHECKING:  # the production SDKs load only when their backend is configured
    from filmflare.adapters.dynamodb import DynamoMovieRepository
    from filmflare.adapters.redis import RedisConnection

GENERATIONS_FILE = "cache-generations"


def search_ready(index: MovieSearchIndex, indexer: Indexer) -> Callable[[], Awaitable[None]]:
    """The index answers, and holds what the change feed held when this process started."""

    async def ping() -> None:
        await index.ping()
        await indexer.check()

    return ping


def collectors(cache: Cache, redis: RedisConnection | None) -> list[Collector]:
    """The adapters' metrics for ``/metrics``."""
    if redis is not None:
        return [redis.metrics]
    if isinstance(cache, MemoryCache):
        return [MemoryCacheMetrics(cache)]
    return []


def environment_problems(settings: Settings) -> list[str]:
    """What the SDKs will find missing in the environment (beyond FILMFLARE_*)."""
    if settings.store == "dynamodb" and not settings.dynamodb_endpoint:
        from filmflare.adapters.dynamodb import region_problem

        problem = region_problem()
        return [problem] if problem else []
    return []


def repository(settings: Settings) -> SqliteMovieRepository | DynamoMovieRepository:
    if settings.store == "dynamodb":
        from filmflare.adapters.dynamodb import DynamoMovieRepository

        # No endpoint on AWS: the SDK finds it, the region and the credentials itself.
        return DynamoMovieRepository(settings.dynamodb_table, settings.dynamodb_endpoint or None)
    if settings.store != "sqlite":
        raise ConfigurationError(f"FILMFLARE_STORE={settings.store} is not supported by this build")
    return SqliteMovieRepository(settings.data_dir / "filmflare.sqlite3")


def index(settings: Settings) -> MovieSearchIndex:
    if settings.search == "embedded":
        return EmbeddedSearchIndex(settings.data_dir / "search-index")
    url = settings.search_url or ""  # settings.problems() refused an empty one
    if settings.search == "opensearch":
        return search_engine.OpenSearchIndex(url, settings.search_index)
    if settings.search == "elasticsearch":
        return search_engine.ElasticsearchIndex(url, settings.search_index)
    raise ConfigurationError(f"FILMFLARE_SEARCH={settings.search} is not supported by this build")


def redis(settings: Settings) -> RedisConnection | None:
    """The process's one Redis client, shared by the cache and the rate limiter."""
    if settings.cache != "redis" or not settings.redis_url:
        return None
    from filmflare.adapters.redis import RedisConnection

    return RedisConnection(
        settings.redis_url, timeout=settings.redis_timeout_seconds, cluster=settings.redis_cluster
    )


def cache(settings: Settings, redis: RedisConnection | None = None) -> Cache:
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


def rate_limiter(settings: Settings, redis: RedisConnection | None) -> RateLimiter | None:
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
