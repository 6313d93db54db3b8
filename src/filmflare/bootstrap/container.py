"""What the composition root hands out: every adapter and use case of one process."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from prometheus_client.registry import Collector

from filmflare.application.add_movie import AddMovie
from filmflare.application.check_readiness import CheckReadiness
from filmflare.application.delete_movie import DeleteMovie
from filmflare.application.export_movies import ExportMovies
from filmflare.application.get_movie import GetMovie
from filmflare.application.import_movies import ImportMovies
from filmflare.application.indexer import Indexer
from filmflare.application.list_genres import ListGenres
from filmflare.application.patch_movie import PatchMovie
from filmflare.application.reindex import Reindex
from filmflare.application.replace_movie import ReplaceMovie
from filmflare.application.search_movies import SearchMovies
from filmflare.application.suggest_titles import SuggestTitles
from filmflare.config import Settings
from filmflare.ports.cache import Cache
from filmflare.ports.clock import Clock
from filmflare.ports.rate_limiter import RateLimiter
from filmflare.ports.repository import ChangeFeed, MovieRepository
from filmflare.ports.search_index import MovieSearchIndex
from filmflare.ports.tokens import TokenVerifier


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
    export_movies: ExportMovies
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

    async def init(self) -> int | None:
        """Create tables and indexes (idempotent): ``filmflare init``. A search index made
        anew over a store that holds movies (a new cluster, or an embedded index from
        another version) is filled from the store: returns how many movies, else None."""
        await self.repository.ensure()
        if await self.index.ensure() and await self.repository.count():
            return await self.reindex.execute()
        return None
