"""The production profile in system tests: API processes on DynamoDB (moto), OpenSearch and
Redis, set up as a deployment is (``filmflare init``, then ``uvicorn`` on the app factory).

Each test gets a ``Deployment`` of its own (table, index alias and key prefix), on shared
servers or on private ones it may stop. What the store holds is read with the production
adapter itself; what the index holds, through the API's search on each process. Traffic goes
to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from filmflare.adapters.dynamodb import DynamoMovieRepository
from filmflare.application.indexer import CONSUMER
from filmflare.domain.movie import Movie
from tests.conftest import skip_without
from tests.http.conftest import MOVIE, SECRET, bearer
from tests.infra_moto import drop_tables
from tests.infra_redis import INSTALL_HINT, RedisServer
from tests.infra_search import drop_alias, unique_alias
from tests.system.api_process import FILMFLARE, ApiProcess, process_env

CONVERGENCE_SECONDS = 60.0


@dataclass(frozen=True)
class Deployment:
    """One test's share of the servers, and the ``FILMFLARE_*`` settings of its processes."""

    moto_url: str
    search_url: str
    redis_url: str
    table: str = field(default_factory=lambda: f"filmflare-system-{uuid.uuid4().hex[:12]}")
    alias: str = field(default_factory=unique_alias)
    prefix: str = field(default_factory=lambda: f"filmflare-test:{uuid.uuid4().hex[:12]}:")

    def env(self, workdir: Path) -> dict[str, str]:
        return {
            "FILMFLARE_PROFILE": "production",
            "FILMFLARE_STORE": "dynamodb",
            "FILMFLARE_DYNAMODB_TABLE": self.table,
            "FILMFLARE_DYNAMODB_ENDPOINT": self.moto_url,
            "FILMFLARE_SEARCH": "opensearch",
            "FILMFLARE_SEARCH_URL": self.search_url,
            "FILMFLARE_SEARCH_INDEX": self.alias,
            "FILMFLARE_CACHE": "redis",
            "FILMFLARE_REDIS_URL": self.redis_url,
            "FILMFLARE_REDIS_PREFIX": self.prefix,
            "FILMFLARE_JWT_SECRET": SECRET,
            "FILMFLARE_DATA_DIR": str(workdir / "data"),  # no production backend uses it
            "FILMFLARE_LOG_LEVEL": "error",
            # Longer than the default, so that a busy machine does not turn hits into fallbacks.
            "FILMFLARE_REDIS_TIMEOUT_SECONDS": "0.5",
        }

    def api(self, workdir: Path) -> ApiProcess:
        return ApiProcess(workdir, self.env(workdir))

    def init(self, workdir: Path) -> None:
        """``filmflare init``: what a deployment runs once before its API processes."""
        workdir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [str(FILMFLARE), "init"],
            env=process_env(self.env(workdir)),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"filmflare init failed:\n{done.stdout}{done.stderr}"


@contextlib.asynccontextmanager
async def deployed(
    workdir: Path, moto_url: str, search_url: str, redis_url: str
) -> AsyncIterator[Deployment]:
    """A new ``Deployment``, initialised; its table and index are dropped afterwards."""
    deployment = Deployment(moto_url, search_url, redis_url)
    deployment.init(workdir)
    try:
        yield deployment
    finally:
        await _drop(deployment)


@contextlib.contextmanager
def deployed_for_commands(
    workdir: Path, moto_url: str, search_url: str, redis_url: str
) -> Iterator[Deployment]:
    """``deployed``, for a test that only runs commands and has no event loop of its own."""
    deployment = Deployment(moto_url, search_url, redis_url)
    deployment.init(workdir)
    try:
        yield deployment
    finally:
        asyncio.run(_drop(deployment))


async def _drop(deployment: Deployment) -> None:
    # A test may end with a server stopped: leftovers then go with that private server.
    with contextlib.suppress(Exception):
        await drop_tables(deployment.moto_url, [deployment.table, f"{deployment.table}-feed"])
    with contextlib.suppress(Exception):
        await drop_alias("opensearch", deployment.search_url, deployment.alias)


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own that keeps its data across a stop and a start."""
    if not RedisServer.available():
        skip_without("redis-server", f"this test stops its own server; {INSTALL_HINT}")
    server = RedisServer(data_dir=tmp_path / "redis-data")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def store_of(deployment: Deployment) -> AsyncIterator[DynamoMovieRepository]:
    """The deployment's store through the production adapter (a client of this process)."""
    repository = DynamoMovieRepository(deployment.table, deployment.moto_url)
    await repository.start()
    try:
        yield repository
    finally:
        await repository.close()


@dataclass(frozen=True)
class StoreState:
    """Every stored movie, the store's own count, and how many changes await the indexer."""

    movies: dict[str, Movie]
    count: int
    pending: int

    @property
    def versions(self) -> dict[str, int]:
        return {movie_id: movie.version for movie_id, movie in self.movies.items()}


async def store_state(repository: DynamoMovieRepository) -> StoreState:
    movies = {movie.id: movie async for batch in repository.scan() for movie in batch}
    count = await repository.count()
    pending = await repository.read(await repository.checkpoint(CONSUMER), 100)
    return StoreState(movies, count, len(pending))


@dataclass(frozen=True)
class Listing:
    """What one process's search lists: every movie id with its version, and the total."""

    versions: dict[str, int]
    total: int


async def listing(client: httpx.AsyncClient, api: ApiProcess, **query: str) -> Listing:
    """Every movie ``GET /movies`` finds for ``query`` on ``api``, paged with the cursor."""
    params = {"sort": "created_at", "per_page": "100", **query}
    versions: dict[str, int] = {}
    total = -1
    for _ in range(100):  # bounded: a listing of at most 10 000 movies
        answer = await client.get(f"{api.url}/movies", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        total = page["total_results"] if total < 0 else total
        versions.update((movie["id"], movie["version"]) for movie in page["results"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    return Listing(versions, total)


@dataclass(frozen=True)
class Convergence:
    """The store and each process's listing when they last were compared."""

    store: StoreState
    listings: list[Listing]
    seconds: float

    @property
    def reached(self) -> bool:
        truth = self.store.versions
        return (
            self.store.pending == 0
            and self.store.count == len(truth)
            and all(seen.versions == truth and seen.total == len(truth) for seen in self.listings)
        )

    def differences(self) -> list[str]:
        """Each way a listing differs from the store, readable in an assertion message."""
        truth = self.store.versions
        found = [f"{self.store.pending} changes not yet indexed"] if self.store.pending else []
        if self.store.count != len(truth):
            found.append(f"the store counts {self.store.count}, its scan finds {len(truth)}")
        for n, seen in enumerate(self.listings):
            missing = sorted(set(truth) - set(seen.versions))
            extra = sorted(set(seen.versions) - set(truth))
            wrong = {i: (v, truth[i]) for i, v in seen.versions.items() if truth.get(i, v) != v}
            if missing or extra or wrong or seen.total != len(truth):
                found.append(
                    f"process {n}: total {seen.total} of {len(truth)}; missing {missing}; "
                    f"deleted but listed {extra}; (indexed, stored) versions {wrong}"
                )
        return found


async def converge(
    client: httpx.AsyncClient,
    apis: Sequence[ApiProcess],
    repository: DynamoMovieRepository,
    within: float = CONVERGENCE_SECONDS,
) -> Convergence:
    """Wait (up to ``within`` seconds) until every process lists exactly what the store holds."""
    started = time.monotonic()
    while True:
        state = await store_state(repository)
        seen = [await listing(client, api) for api in apis]
        outcome = Convergence(state, seen, time.monotonic() - started)
        if outcome.reached or outcome.seconds > within:
            return outcome
        await asyncio.sleep(0.2)


async def add(client: httpx.AsyncClient, api: ApiProcess, **fields: Any) -> dict[str, Any]:
    """POST a movie (``MOVIE`` with ``fields`` over it); it must be a 201."""
    answer = await client.post(f"{api.url}/movies", json=MOVIE | fields, headers=bearer())
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def is_unavailable(answer: httpx.Response) -> bool:
    """A 503 as the contract has it: problem+json with a ``Retry-After``."""
    return (
        answer.status_code == 503
        and answer.headers.get("content-type") == "application/problem+json"
        and answer.headers.get("retry-after", "").isdigit()
        and answer.json().get("status") == 503
    )
