"""The contract every ``MovieRepository`` + ``ChangeFeed`` adapter honours.

A subclass provides a ``repository`` fixture: a started, empty store whose schema was made
by its production ``ensure``; it overrides ``feed`` only if the feed is a separate object.
Everything here goes through the ports, so the same tests hold SQLite and DynamoDB.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from filmflare.domain.errors import DuplicateId, ExternalIdTaken, MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie, MovieData, new_movie_id
from filmflare.ports.imports import ImportMark, ImportStore, ImportWrite
from filmflare.ports.repository import Change, ChangeFeed, MovieRepository

T0 = datetime(2024, 5, 17, 8, 30, 12, 345000, tzinfo=UTC)


def make_movie(title: str = "Heat", **fields: Any) -> Movie:
    """A fresh version-1 movie; ``fields`` override any client field."""
    return Movie.create(new_movie_id(), MovieData(title=title, **fields), T0)


def full_movie() -> Movie:
    """Every field set, with text a naive store would mangle."""
    data = MovieData(
        title="Amélie — Le Fabuleux Destin",
        original_title="Le Fabuleux Destin d'Amélie Poulain",
        year=2001,
        release_date=date(2001, 4, 25),
        genres=("Comedy", "Romance"),
        directors=("Jean-Pierre Jeunet",),
        cast=("Audrey Tautou", "Mathieu Kassovitz", 'Rufus "Quote" O\'Neil', "山田 太郎 🎬"),
        overview="Line one\nline two, with 'quotes', \"double quotes\" and a tab\t.",
        runtime_minutes=122,
        rating=8.3,
        votes=2**53 - 1,
        language="fr",
        certification="PG-13",
        external_id="imdb:tt0211915",
    )
    created = Movie.create(new_movie_id(), data, T0)
    return replace(created, updated_at=T0 + timedelta(days=400, milliseconds=7))


def revised(movie: Movie, title: str) -> Movie:
    return movie.revise(replace(movie.data, title=title), movie.updated_at + timedelta(seconds=1))


def shape(changes: Any) -> list[tuple[str, int, str | None]]:
    return [(c.movie_id, c.version, c.movie and c.movie.title) for c in changes]


@pytest.mark.anyio
class MovieRepositoryContract:
    """Not collected alone: subclasses named ``Test…`` supply the ``repository`` fixture."""

    @pytest.fixture
    def feed(self, repository: MovieRepository) -> ChangeFeed:
        return cast(ChangeFeed, repository)

    # -- reading and adding -------------------------------------------------------------

    async def test_get_unknown_id_is_none(self, repository: MovieRepository) -> None:
        assert await repository.get(new_movie_id()) is None

    async def test_every_field_round_trips(self, repository: MovieRepository) -> None:
        movie = full_movie()
        await repository.add(movie)
        stored = await repository.get(movie.id)
        assert stored == movie
        assert stored is not None
        assert stored.created_at.utcoffset() == timedelta(0)
        assert isinstance(stored.rating, float)
        assert isinstance(stored.genres, tuple)

    async def test_nulls_and_empty_lists_round_trip(self, repository: MovieRepository) -> None:
        movie = make_movie("Untitled")
        await repository.add(movie)
        assert await repository.get(movie.id) == movie

    async def test_zero_and_whole_number_rating_round_trip(
        self, repository: MovieRepository
    ) -> None:
        movies = [make_movie("Zero", rating=0.0, votes=0), make_movie("Ten", rating=10.0)]
        await repository.add_many(movies)
        for movie in movies:
            assert await repository.get(movie.id) == movie

    async def test_add_existing_id_is_duplicate(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        with pytest.raises(DuplicateId):
            await repository.add(replace(movie, title="Other"))
        assert await repository.get(movie.id) == movie

    async def test_deleted_id_is_never_reused(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        await repository.delete(movie.id, None)
        with pytest.raises(DuplicateId):
            await repository.add(movie)
        assert await repository.get(movie.id) is None

    async def test_add_many_stores_every_movie(self, repository: MovieRepository) -> None:
        movies = [make_movie(f"Movie {n}", votes=n) for n in range(25)]
        await repository.add_many(movies)
        assert await repository.count() == 25
        for movie in movies:
            assert await repository.get(movie.id) == movie

    async def test_add_many_of_nothing_is_harmless(self, repository: MovieRepository) -> None:
        await repository.add_many([])
        assert await repository.count() == 0

    async def test_add_many_with_a_taken_id_is_duplicate(self, repository: MovieRepository) -> None:
        taken = make_movie("Taken")
        await repository.add(taken)
        with pytest.raises(DuplicateId):
            await repository.add_many([make_movie("New"), replace(taken, title="Impostor")])
        assert await repository.get(taken.id) == taken

    async def test_count_follows_writes(self, repository: MovieRepository) -> None:
        assert await repository.count() == 0
        movies = [make_movie(f"M{n}") for n in range(3)]
        await repository.add_many(movies)
        await repository.add(make_movie("Another"))
        await repository.delete(movies[0].id, None)
        assert await repository.count() == 3

    # -- external ids -------------------------------------------------------------------

    async def test_an_external_id_is_held_by_one_movie(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        holder = make_movie("Heat", external_id="imdb:tt0113277")
        await repository.add(holder)
        rival = make_movie("Heat again", external_id="imdb:tt0113277")
        with pytest.raises(ExternalIdTaken) as raised:
            await repository.add(rival)
        assert (raised.value.external_id, raised.value.holder) == ("imdb:tt0113277", holder.id)
        assert await repository.get(rival.id) is None
        other_case = make_movie("Heat, other case", external_id="IMDB:tt0113277")
        await repository.add(other_case)  # compared exactly
        assert await repository.count() == 2
        assert len(await feed.read(None, 100)) == 2

    @pytest.mark.parametrize("size", [2, 60])
    async def test_add_many_with_a_held_external_id_writes_nothing(
        self, repository: MovieRepository, feed: ChangeFeed, size: int
    ) -> None:
        """60 movies span several transactions on DynamoDB: the batch still fails whole."""
        holder = make_movie("Heat", external_id="tmdb:949")
        await repository.add(holder)
        batch = [make_movie(f"New {n}", external_id=f"tmdb:{n}") for n in range(size - 1)]
        batch.append(make_movie("Impostor", external_id="tmdb:949"))
        with pytest.raises(ExternalIdTaken) as raised:
            await repository.add_many(batch)
        assert raised.value.holder == holder.id
        assert await repository.count() == 1
        assert len(await feed.read(None, 100)) == 1

    async def test_add_many_refuses_one_external_id_twice(
        self, repository: MovieRepository
    ) -> None:
        first = make_movie("One", external_id="x:1")
        with pytest.raises(ExternalIdTaken) as raised:
            await repository.add_many([first, make_movie("Two", external_id="x:1")])
        assert raised.value.holder == first.id
        assert await repository.count() == 0

    async def test_replace_moves_an_external_id(self, repository: MovieRepository) -> None:
        movie = make_movie("Heat", external_id="x:old")
        await repository.add(movie)
        moved = movie.revise(replace(movie.data, external_id="x:new"), T0)
        await repository.replace(moved, movie)
        assert await repository.get(movie.id) == moved
        await repository.add(make_movie("Takes the old one", external_id="x:old"))
        with pytest.raises(ExternalIdTaken):
            await repository.add(make_movie("Wants the new one", external_id="x:new"))
        kept = moved.revise(replace(moved.data, title="Heat (1995)"), T0)
        await repository.replace(kept, moved)  # an unchanged external id stays held
        with pytest.raises(ExternalIdTaken):
            await repository.add(make_movie("Still wants it", external_id="x:new"))

    async def test_replace_onto_a_held_external_id_changes_nothing(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        holder = make_movie("Heat", external_id="x:1")
        movie = make_movie("Alien", external_id="x:2")
        await repository.add_many([holder, movie])
        clash = movie.revise(replace(movie.data, external_id="x:1"), T0)
        with pytest.raises(ExternalIdTaken) as raised:
            await repository.replace(clash, movie)
        assert raised.value.holder == holder.id
        assert await repository.get(movie.id) == movie
        assert len(await feed.read(None, 100)) == 2
        with pytest.raises(ExternalIdTaken):  # x:2 is still held by the movie
            await repository.add(make_movie("Other", external_id="x:2"))

    async def test_delete_or_null_frees_an_external_id(self, repository: MovieRepository) -> None:
        deleted = make_movie("Deleted", external_id="x:1")
        cleared = make_movie("Cleared", external_id="x:2")
        await repository.add_many([deleted, cleared])
        await repository.delete(deleted.id, None)
        await repository.replace(
            cleared.revise(replace(cleared.data, external_id=None), T0), cleared
        )
        await repository.add_many(
            [make_movie("New 1", external_id="x:1"), make_movie("New 2", external_id="x:2")]
        )
        assert await repository.count() == 3

    async def test_concurrent_adds_of_one_external_id_exactly_one_wins(
        self, repository: MovieRepository
    ) -> None:
        rivals = [make_movie(f"Rival {n}", external_id="imdb:tt0068646") for n in range(20)]
        results = await asyncio.gather(*(repository.add(r) for r in rivals), return_exceptions=True)
        assert sum(result is None for result in results) == 1
        assert all(isinstance(r, ExternalIdTaken) for r in results if r is not None)
        assert await repository.count() == 1

    # -- imports ------------------------------------------------------------------------

    async def test_import_lookups_by_external_id_and_by_id(
        self, repository: MovieRepository
    ) -> None:
        imports = cast(ImportStore, getattr(repository, "imports"))  # noqa: B009
        keyed, plain, gone = make_movie("Keyed", external_id="x:1"), make_movie(), make_movie()
        await repository.add_many([keyed, plain, gone])
        await repository.delete(gone.id, None)
        assert await imports.holders(["x:1", "x:2"]) == {"x:1": keyed}
        never = new_movie_id()
        found = await imports.known_ids([keyed.id, plain.id, gone.id, never])
        assert found == {keyed.id: keyed, plain.id: plain, gone.id: None}

    async def test_an_import_batch_commits_with_its_mark(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        imports = cast(ImportStore, getattr(repository, "imports"))  # noqa: B009
        assert await imports.reached("file") is None
        stored = make_movie("Heat", external_id="x:1")
        await repository.add(stored)
        created, updated = make_movie("New"), revised(stored, "Heat (1995)")
        writes = [ImportWrite(2, created), ImportWrite(5, updated, stored)]
        await imports.commit(writes, ImportMark("file", 7))
        assert await imports.reached("file") == 7
        assert await repository.get(created.id) == created
        assert await repository.get(stored.id) == updated
        assert shape(await feed.read(None, 100))[1:] == [
            (created.id, 1, "New"),
            (stored.id, 2, "Heat (1995)"),
        ]
        await imports.commit([], ImportMark("file", 9))  # rows that changed nothing
        assert await imports.reached("file") == 9
        assert len(await feed.read(None, 100)) == 3
        await imports.forget("file")
        assert await imports.reached("file") is None

    async def test_a_refused_import_batch_leaves_its_mark_true(
        self, repository: MovieRepository
    ) -> None:
        """On DynamoDB 60 movies take several transactions; whatever committed, every write
        up to the mark's line is stored and none after it."""
        imports = cast(ImportStore, getattr(repository, "imports"))  # noqa: B009
        await repository.add(make_movie("Holder", external_id="x:held"))
        batch = [make_movie(f"Row {n}") for n in range(60)]
        batch[50] = make_movie("Clash", external_id="x:held")
        writes = [ImportWrite(n + 1, movie) for n, movie in enumerate(batch)]
        with pytest.raises(ExternalIdTaken):
            await imports.commit(writes, ImportMark("file", 60))
        reached = await imports.reached("file") or 0
        assert reached < 51
        for write in writes:
            assert (await repository.get(write.movie.id) is not None) is (write.line <= reached)

    # -- replace ------------------------------------------------------------------------

    async def test_replace_stores_the_next_version(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        second = revised(movie, "Heat (1995)")
        await repository.replace(second, movie)
        assert await repository.get(movie.id) == second
        third = revised(second, "Heat (Director's Cut)")
        await repository.replace(third, second)
        assert await repository.get(movie.id) == third

    @pytest.mark.parametrize("skew", [0, 2])
    async def test_replace_from_another_version_conflicts(
        self, repository: MovieRepository, skew: int
    ) -> None:
        movie = make_movie()
        await repository.add(movie)
        stale = replace(revised(movie, "Changed"), version=movie.version + skew)
        with pytest.raises(VersionConflict) as raised:
            await repository.replace(stale, movie)
        assert raised.value.current == 1
        assert await repository.get(movie.id) == movie

    async def test_replace_never_creates(self, repository: MovieRepository) -> None:
        never_added = make_movie()
        ghost = revised(never_added, "Ghost")
        with pytest.raises(MovieNotFound):
            await repository.replace(ghost, never_added)
        assert await repository.get(ghost.id) is None
        assert await repository.count() == 0

    async def test_replace_after_delete_is_not_found(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        await repository.delete(movie.id, None)
        with pytest.raises(MovieNotFound):
            await repository.replace(revised(movie, "Back"), movie)
        assert await repository.get(movie.id) is None

    async def test_concurrent_replaces_of_one_version_exactly_one_wins(
        self, repository: MovieRepository
    ) -> None:
        movie = make_movie()
        await repository.add(movie)
        rivals = [revised(movie, f"Rival {n}") for n in range(8)]
        results = await asyncio.gather(
            *(repository.replace(r, movie) for r in rivals), return_exceptions=True
        )
        winners = [r for r, result in zip(rivals, results, strict=True) if result is None]
        assert len(winners) == 1
        assert all(isinstance(r, VersionConflict) for r in results if r is not None)
        assert await repository.get(movie.id) == winners[0]

    # -- delete -------------------------------------------------------------------------

    async def test_delete_returns_the_removed_movie(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        assert await repository.delete(movie.id, None) == movie
        assert await repository.get(movie.id) is None
        with pytest.raises(MovieNotFound):
            await repository.delete(movie.id, None)

    async def test_delete_with_the_current_version(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        second = revised(movie, "Two")
        await repository.replace(second, movie)
        assert await repository.delete(movie.id, 2) == second
        assert await repository.get(movie.id) is None

    async def test_delete_with_another_version_conflicts(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        with pytest.raises(VersionConflict) as raised:
            await repository.delete(movie.id, 2)
        assert (raised.value.expected, raised.value.current) == (2, 1)
        assert await repository.get(movie.id) == movie

    async def test_delete_unknown_id_is_not_found(self, repository: MovieRepository) -> None:
        with pytest.raises(MovieNotFound):
            await repository.delete(new_movie_id(), None)
        with pytest.raises(MovieNotFound):
            await repository.delete(new_movie_id(), 1)

    # -- scan, ping, ensure -------------------------------------------------------------

    async def test_scan_yields_every_movie_once(self, repository: MovieRepository) -> None:
        movies = [make_movie(f"Scan {n}") for n in range(7)]
        await repository.add_many(movies)
        await repository.delete(movies[3].id, None)
        batches = [batch async for batch in repository.scan(batch_size=3)]
        assert all(1 <= len(batch) <= 3 for batch in batches)
        seen = [movie for batch in batches for movie in batch]
        expected = movies[:3] + movies[4:]
        assert sorted(seen, key=lambda m: m.id) == sorted(expected, key=lambda m: m.id)

    async def test_scan_of_an_empty_store(self, repository: MovieRepository) -> None:
        assert [batch async for batch in repository.scan()] == []

    async def test_ping_answers(self, repository: MovieRepository) -> None:
        await repository.ping()

    async def test_ensure_is_idempotent(self, repository: MovieRepository) -> None:
        movie = make_movie()
        await repository.add(movie)
        await repository.ensure()
        await repository.ensure()
        assert await repository.get(movie.id) == movie

    # -- change feed --------------------------------------------------------------------

    async def test_empty_feed(self, feed: ChangeFeed) -> None:
        assert list(await feed.read(None, 10)) == []
        assert await feed.checkpoint("indexer") is None

    async def test_feed_holds_every_write_in_commit_order(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        first, other = make_movie("First"), make_movie("Other")
        await repository.add(first)
        second = revised(first, "Second")
        await repository.replace(second, first)
        await repository.add_many([other])
        await repository.delete(first.id, None)
        changes = await feed.read(None, 100)
        assert shape(changes) == [
            (first.id, 1, "First"),
            (first.id, 2, "Second"),
            (other.id, 1, "Other"),
            (first.id, 3, None),
        ]
        assert [c.movie for c in changes] == [first, second, other, None]

    async def test_failed_writes_record_nothing(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movie = make_movie()
        await repository.add(movie)
        with pytest.raises(DuplicateId):
            await repository.add(movie)
        with pytest.raises(VersionConflict):
            await repository.replace(replace(revised(movie, "X"), version=5), movie)
        with pytest.raises(VersionConflict):
            await repository.delete(movie.id, 7)
        with pytest.raises(MovieNotFound):
            await repository.delete(new_movie_id(), None)
        assert shape(await feed.read(None, 100)) == [(movie.id, 1, "Heat")]

    async def test_deletion_outranks_the_last_version(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movie = make_movie()
        await repository.add(movie)
        latest = movie
        for n in range(4):
            previous, latest = latest, revised(latest, f"Cut {n}")
            await repository.replace(latest, previous)
        await repository.delete(movie.id, None)
        tombstone = (await feed.read(None, 100))[-1]
        assert (tombstone.movie_id, tombstone.version, tombstone.movie) == (movie.id, 6, None)

    async def test_feed_pages_with_after_and_limit(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movies = [make_movie(f"Page {n}") for n in range(12)]
        for movie in movies:
            await repository.add(movie)
        pages: list[Change] = []
        after: str | None = None
        while page := await feed.read(after, 5):
            assert len(page) <= 5
            pages.extend(page)
            after = page[-1].position
        assert [c.movie_id for c in pages] == [m.id for m in movies]
        assert len({c.position for c in pages}) == 12
        assert list(await feed.read(pages[-1].position, 5)) == []
        assert [c.movie_id for c in await feed.read(pages[8].position, 10)] == [
            m.id for m in movies[9:]
        ]

    async def test_concurrent_writes_each_appear_once(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movies = [make_movie(f"Burst {n}") for n in range(20)]
        await asyncio.gather(*(repository.add(m) for m in movies))
        changes = await feed.read(None, 100)
        assert sorted(c.movie_id for c in changes) == sorted(m.id for m in movies)

    async def test_checkpoint_advances_and_never_moves_back(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movies = [make_movie(f"C{n}") for n in range(4)]
        await repository.add_many(movies)
        changes = await feed.read(None, 100)
        await feed.advance("indexer", changes[2].position)
        assert await feed.checkpoint("indexer") == changes[2].position
        await feed.advance("indexer", changes[0].position)
        assert await feed.checkpoint("indexer") == changes[2].position
        await feed.advance("indexer", changes[2].position)
        assert await feed.checkpoint("indexer") == changes[2].position
        rest = await feed.read(await feed.checkpoint("indexer"), 100)
        assert [c.movie_id for c in rest] == [movies[3].id]

    async def test_consumers_keep_their_own_checkpoints(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        await repository.add_many([make_movie(f"K{n}") for n in range(3)])
        changes = await feed.read(None, 100)
        # "slow" checkpoints first: a feed may forget what every consumer it knows has passed.
        await feed.advance("slow", changes[0].position)
        await feed.advance("fast", changes[2].position)
        assert await feed.checkpoint("fast") == changes[2].position
        assert await feed.checkpoint("slow") == changes[0].position
        assert await feed.checkpoint("new") is None
        slow_rest = await feed.read(changes[0].position, 100)
        assert [c.position for c in slow_rest] == [c.position for c in changes[1:]]

    async def test_changes_after_a_checkpoint_keep_coming(
        self, repository: MovieRepository, feed: ChangeFeed
    ) -> None:
        movie = make_movie()
        await repository.add(movie)
        (first,) = await feed.read(None, 100)
        await feed.advance("indexer", first.position)
        second = revised(movie, "Later")
        await repository.replace(second, movie)
        later = await feed.read(await feed.checkpoint("indexer"), 100)
        assert [(c.movie_id, c.version, c.movie) for c in later] == [(movie.id, 2, second)]
