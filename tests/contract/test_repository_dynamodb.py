"""The repository and change-feed contract on DynamoDB (a moto server), plus what only
this store promises: gapless positions across clients, transactions split by size and
count, a reused id refused before a multi-transaction batch writes anything, and an
unreachable store reported as ``BackendUnavailable("store")``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from filmflare.adapters.dynamodb import DynamoMovieRepository
from filmflare.adapters.dynamodb.feed import DynamoChangeFeed
from filmflare.domain.errors import (
    BackendUnavailable,
    DuplicateId,
    ExternalIdTaken,
    VersionConflict,
)
from filmflare.domain.movie import Movie
from tests.contract.repository_contract import MovieRepositoryContract, make_movie, revised
from tests.infra_moto import dynamo_table, moto_url

__all__ = ["dynamo_table", "moto_url"]  # fixtures, imported to be found by pytest


async def started(table: str, url: str, **options: int) -> DynamoMovieRepository:
    store = DynamoMovieRepository(table, url, **options)
    await store.start()
    return store


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.infra
class TestDynamoRepository(MovieRepositoryContract):
    """Every contract test against fresh tables made by ``ensure``, then DynamoDB's own."""

    @pytest.fixture
    async def repository(
        self, dynamo_table: str, moto_url: str
    ) -> AsyncIterator[DynamoMovieRepository]:
        store = await started(dynamo_table, moto_url)
        await store.ensure()
        yield store
        await store.close()

    async def test_twenty_conflicting_writes_from_four_clients_exactly_one_wins(
        self, repository: DynamoMovieRepository, dynamo_table: str, moto_url: str
    ) -> None:
        others = [await started(dynamo_table, moto_url) for _ in range(3)]
        try:
            movie = make_movie()
            await repository.add(movie)
            stores = [repository, *others] * 5
            rivals = [revised(movie, f"Rival {n}") for n in range(20)]
            results = await asyncio.gather(
                *(s.replace(r, movie) for s, r in zip(stores, rivals, strict=True)),
                return_exceptions=True,
            )
            winners = [r for r, result in zip(rivals, results, strict=True) if result is None]
            assert len(winners) == 1
            conflicts = [r for r in results if isinstance(r, VersionConflict)]
            assert len(conflicts) == 19
            assert all(c.current == 2 or c.current == 1 for c in conflicts)
            assert await others[0].get(movie.id) == winners[0]
            assert [c.version for c in await others[1].read(None, 100)] == [1, 2]
        finally:
            for store in others:
                await store.close()

    async def test_one_external_id_claimed_by_four_clients_goes_to_one_movie(
        self, repository: DynamoMovieRepository, dynamo_table: str, moto_url: str
    ) -> None:
        others = [await started(dynamo_table, moto_url) for _ in range(3)]
        try:
            stores = [repository, *others] * 5
            rivals = [make_movie(f"Rival {n}", external_id="imdb:tt0068646") for n in range(20)]
            results = await asyncio.gather(
                *(s.add(r) for s, r in zip(stores, rivals, strict=True)), return_exceptions=True
            )
            winners = [r for r, result in zip(rivals, results, strict=True) if result is None]
            assert len(winners) == 1
            refused = [r for r in results if r is not None]
            assert all(isinstance(r, ExternalIdTaken) for r in refused)
            assert all(r.holder == winners[0].id for r in refused if isinstance(r, ExternalIdTaken))
            assert await others[0].count() == 1
        finally:
            for store in others:
                await store.close()

    async def test_positions_from_many_clients_are_gapless_and_survive_a_restart(
        self, repository: DynamoMovieRepository, dynamo_table: str, moto_url: str
    ) -> None:
        others = [await started(dynamo_table, moto_url) for _ in range(3)]
        try:
            stores = [repository, *others] * 6
            await asyncio.gather(*(s.add(make_movie(f"G{n}")) for n, s in enumerate(stores)))
        finally:
            for store in others:
                await store.close()
        changes = await repository.read(None, 100)
        assert [c.position for c in changes] == [str(n) for n in range(1, 25)]
        assert await repository.count() == 24
        await repository.advance("indexer", "24")
        again = await started(dynamo_table, moto_url)
        try:
            assert await again.checkpoint("indexer") == "24"
            await again.add(make_movie("After the restart"))
            assert [c.position for c in await again.read("24", 10)] == ["25"]
        finally:
            await again.close()

    async def test_malformed_position_is_refused(self, repository: DynamoMovieRepository) -> None:
        with pytest.raises(ValueError, match="position"):
            await repository.read("07", 10)
        with pytest.raises(ValueError, match="position"):
            await repository.advance("indexer", "-1")

    async def test_advance_forgets_what_every_consumer_passed(
        self, repository: DynamoMovieRepository
    ) -> None:
        await repository.add_many([make_movie(f"P{n}") for n in range(5)])
        changes = await repository.read(None, 100)
        await repository.advance("b", changes[1].position)
        await repository.advance("a", changes[3].position)
        assert await repository.read(None, 100) == changes[2:]
        await repository.advance("b", changes[4].position)
        assert await repository.read(None, 100) == changes[4:]
        await repository.add(make_movie("New"))
        (new,) = await repository.read(changes[4].position, 10)
        assert new.position == "6"

    async def test_a_prune_that_fails_leaves_the_checkpoint_moved(
        self, repository: DynamoMovieRepository, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Pruning is housekeeping: a store too slow to answer it (moto with 50,000 changes
        timed out) must not fail the indexer's advance; a later advance prunes."""
        await repository.add_many([make_movie(f"P{n}") for n in range(3)])
        changes = await repository.read(None, 100)
        prune = DynamoChangeFeed._prune

        async def timing_out(feed: DynamoChangeFeed) -> None:
            raise BackendUnavailable("store", "finding passed changes: Read timeout")

        monkeypatch.setattr(DynamoChangeFeed, "_prune", timing_out)
        await repository.advance("indexer", changes[1].position)
        assert await repository.checkpoint("indexer") == changes[1].position
        assert await repository.read(None, 100) == changes  # nothing pruned yet
        monkeypatch.setattr(DynamoChangeFeed, "_prune", prune)
        await repository.advance("indexer", changes[2].position)
        assert await repository.read(None, 100) == []

    async def test_add_many_spanning_transactions_records_every_movie_in_order(
        self, repository: DynamoMovieRepository
    ) -> None:
        movies = [make_movie(f"Bulk {n}", votes=n) for n in range(120)]  # 4 transactions
        await repository.add_many(movies)
        assert await repository.count() == 120
        changes = await repository.read(None, 500)
        assert [c.movie_id for c in changes] == [m.id for m in movies]
        assert [c.movie for c in changes] == movies
        scanned = [m async for batch in repository.scan(batch_size=50) for m in batch]
        assert sorted(scanned, key=lambda m: m.id) == sorted(movies, key=lambda m: m.id)

    async def test_the_largest_movies_round_trip_in_several_transactions(
        self, repository: DynamoMovieRepository
    ) -> None:
        cast = tuple(f"{'🎬' * 198} {n}" for n in range(100))  # 80 kB: the most the rules allow
        movies = [make_movie(f"Epic {n}", cast=cast, overview="🎬" * 5000) for n in range(20)]
        await repository.add_many(movies)
        stored: list[Movie | None] = []
        after = None
        while page := await repository.read(after, 100):  # a Query answers at most 1 MB
            stored.extend(c.movie for c in page)
            after = page[-1].position
        assert stored == movies

    async def test_a_taken_id_fails_a_multi_transaction_batch_before_any_write(
        self, repository: DynamoMovieRepository
    ) -> None:
        taken = make_movie("Taken")
        await repository.add(taken)
        batch = [make_movie(f"Fresh {n}") for n in range(70)] + [replace(taken, title="Again")]
        with pytest.raises(DuplicateId):
            await repository.add_many(batch)
        assert await repository.count() == 1
        assert len(await repository.read(None, 100)) == 1

    async def test_the_same_id_twice_in_a_batch_is_duplicate(
        self, repository: DynamoMovieRepository
    ) -> None:
        movie = make_movie()
        with pytest.raises(DuplicateId):
            await repository.add_many([movie, replace(movie, title="Twin")])
        assert await repository.count() == 0

    async def test_awkward_numbers_round_trip_exactly(
        self, repository: DynamoMovieRepository
    ) -> None:
        movies = [make_movie(f"R{n}", rating=value) for n, value in enumerate([0.1, 1 / 3, 9.95])]
        await repository.add_many(movies)
        for movie in movies:
            stored = await repository.get(movie.id)
            assert stored == movie
            assert stored is not None
            assert stored.rating == movie.rating

    async def test_ensure_refuses_a_table_with_another_key_schema(
        self, repository: DynamoMovieRepository, dynamo_table: str, moto_url: str
    ) -> None:
        # The feed table's name used as the movies table: the same name, the wrong keys.
        wrong = await started(f"{dynamo_table}-feed", moto_url)
        try:
            with pytest.raises(BackendUnavailable, match="key schema"):
                await wrong.ensure()
        finally:
            await wrong.close()
            # It created <table>-feed-feed before refusing: drop it with the others.
            from tests.infra_moto import drop_tables

            await drop_tables(moto_url, [f"{dynamo_table}-feed-feed"])


@pytest.mark.anyio
async def test_an_unreachable_store_is_unavailable() -> None:
    store = await started("filmflare-nowhere", f"http://127.0.0.1:{closed_port()}", max_attempts=1)
    try:
        for call in (
            store.ping(),
            store.get("anything"),
            store.add(make_movie()),
            store.read(None, 10),
            store.count(),
        ):
            with pytest.raises(BackendUnavailable) as raised:
                await call
            assert raised.value.backend == "store"
    finally:
        await store.close()


@pytest.mark.anyio
async def test_an_unstarted_store_is_unavailable() -> None:
    store = DynamoMovieRepository("filmflare-unstarted", "http://127.0.0.1:9")
    with pytest.raises(BackendUnavailable, match="not started"):
        await store.get("anything")
    await store.close()
