"""The composition root: the one place that turns settings into adapters and use cases.

``backends`` makes the adapter each setting names, ``container`` holds what is built, and
``tokens`` keeps the development profile's HS256 secret.
"""

from __future__ import annotations

from typing import Any

from filmflare.adapters.clock import SystemClock
from filmflare.adapters.jwt import JwtVerifier
from filmflare.adapters.memory import NoCache
from filmflare.application.add_movie import AddMovie
from filmflare.application.check_readiness import CheckReadiness
from filmflare.application.commits import Commits
from filmflare.application.delete_movie import DeleteMovie
from filmflare.application.export_movies import ExportMovies
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
from filmflare.bootstrap import backends
from filmflare.bootstrap.container import ConfigurationError, Container
from filmflare.bootstrap.tokens import jwt_secret, mint_development_token
from filmflare.config import Settings
from filmflare.ports.imports import ImportStore

__all__ = [
    "ConfigurationError",
    "Container",
    "build",
    "build_from_environment",
    "mint_development_token",
]


def build(settings: Settings, **overrides: Any) -> Container:
    """Wire adapters for ``settings``; ``overrides`` replace any adapter by name (tests).

    Raises ``ConfigurationError`` listing every missing or contradictory setting, before
    anything connects: a deployment fails at start, not at its first request.
    """
    problems = settings.problems() + backends.environment_problems(settings)
    if problems:
        raise ConfigurationError("\n  ".join(["the settings cannot make a service:", *problems]))
    repository = overrides.get("repository") or backends.repository(settings)
    feed = overrides.get("feed") or repository
    imports: ImportStore = overrides.get("imports") or repository.imports
    index = overrides.get("index") or backends.index(settings)
    redis = backends.redis(settings)
    cache = overrides.get("cache") or backends.cache(settings, redis)
    rate_limiter = overrides.get("rate_limiter") or backends.rate_limiter(settings, redis)
    secret = jwt_secret(settings)
    tokens = overrides.get("tokens") or JwtVerifier(
        secret=secret,
        jwks_url=settings.jwt_jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    clock = overrides.get("clock") or SystemClock()
    responses = ResponseCache(cache, coalesce=not isinstance(cache, NoCache))
    indexer = Indexer(feed, index, responses)
    commits = Commits(responses, indexer)
    reviser = Reviser(repository, commits, clock)
    return Container(
        settings=settings,
        repository=repository,
        feed=feed,
        index=index,
        cache=cache,
        tokens=tokens,
        clock=clock,
        indexer=indexer,
        add_movie=AddMovie(repository, commits, clock),
        get_movie=GetMovie(repository, responses),
        replace_movie=ReplaceMovie(reviser),
        patch_movie=PatchMovie(reviser),
        delete_movie=DeleteMovie(repository, commits),
        search_movies=SearchMovies(index, responses),
        suggest_titles=SuggestTitles(index, responses),
        list_genres=ListGenres(index, responses),
        import_movies=ImportMovies(imports, commits, indexer, clock),
        export_movies=ExportMovies(repository),
        reindex=Reindex(repository, index, indexer),
        readiness=CheckReadiness(
            {
                "store": repository.ping,
                "search": backends.search_ready(index, indexer),
                "cache": cache.ping,
            },
            optional=["cache"],
        ),
        dev_secret=secret if settings.jwt_secret is None else None,
        rate_limiter=rate_limiter,
        collectors=backends.collectors(cache, redis),
        _resources=[
            resource
            for resource in dict.fromkeys([repository, feed, index, cache, tokens, rate_limiter])
            if resource is not None
        ],
    )


def build_from_environment(**overrides: Any) -> Container:
    return build(Settings(), **overrides)
