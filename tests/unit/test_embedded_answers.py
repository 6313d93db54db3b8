"""Search pages the embedded index keeps across commits (``answers``): a commit makes it
compute again only the pages it could change, and a kept page is always the page the index
would compute afresh."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from filmflare.adapters.embedded_search import EmbeddedSearchIndex
from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.movie import Movie
from tests.contract.search_contract import movie

pytestmark = pytest.mark.anyio

WORDS = ("alpha", "beta", "gamma", "delta", "omega", "sigma")
GENRES = ("Drama", "Comedy", "Horror")
# Titles of two words and no other text: equally relevant movies tie exactly, whatever the
# index's statistics, so relevance pages compare exactly too.
CRITERIA = (
    SearchCriteria(per_page=5),
    SearchCriteria(per_page=5, page=2),
    SearchCriteria(q="alpha", per_page=5),
    SearchCriteria(q="alpha beta"),
    SearchCriteria(title="gamma", per_page=3, page=2),
    SearchCriteria(genres=("drama",), sort=Sort("rating", True), per_page=5),
    SearchCriteria(rating_min=7.0, sort=Sort("rating", True), per_page=4),
    SearchCriteria(rating_min=7.0, votes_min=100, sort=Sort("votes", False), per_page=4, page=2),
    SearchCriteria(sort=Sort("title", False), per_page=5),
    SearchCriteria(sort=Sort("year", True), per_page=5, facets=("decade", "rating")),
    SearchCriteria(q="delta", facets=("genres", "decade", "rating"), per_page=3),
    SearchCriteria(genres=("comedy",), facets=("rating",), sort=Sort("title", True), per_page=3),
    SearchCriteria(year_from=1995, sort=Sort("created_at", True), per_page=5),
)


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[EmbeddedSearchIndex]:
    engine = EmbeddedSearchIndex(tmp_path)
    await engine.start()
    yield engine
    await engine.close()


def drawn(rng: random.Random, movie_id: str, version: int) -> Movie:
    title = f"{rng.choice(WORDS)} {rng.choice(WORDS)}".title()
    return movie(
        movie_id,
        title,
        version=version,
        year=rng.choice((None, 1988, 1995, 2001, 2010)),
        rating=rng.choice((None, 5.0, 6.5, 7.0, 8.0, 9.5)),
        votes=rng.choice((None, 10, 100, 1000)),
        genres=tuple(rng.sample(GENRES, rng.randint(0, 2))),
    )


def sunk(kept: Movie) -> Movie:
    return dataclasses.replace(kept, version=kept.version + 1, rating=1.0)


async def indexed_draws(index: EmbeddedSearchIndex, seed: int) -> list[Movie]:
    """200 drawn movies, indexed."""
    rng = random.Random(seed)
    movies = [drawn(rng, f"m{n:03d}", 1) for n in range(200)]
    await index.upsert(movies)
    return movies


async def test_a_commit_computes_again_only_the_pages_it_can_change(
    index: EmbeddedSearchIndex,
) -> None:
    movies = await indexed_draws(index, 7)
    loved = SearchCriteria(q="omega", per_page=5)
    best = SearchCriteria(sort=Sort("rating", True), per_page=5, page=2)  # not sorted again
    first_loved = await index.search(loved, None)
    first_best = await index.search(best, None)
    computed = index.answers.computed
    outsider = next(m for m in movies if "omega" not in m.title.lower() and m.rating is None)

    await index.upsert([dataclasses.replace(outsider, version=2, rating=10.0)])
    assert await index.search(loved, None) is first_loved  # it cannot match: kept
    assert index.answers.computed == computed
    now_best = await index.search(best, None)  # it tops the ratings now: computed again
    assert index.answers.computed == computed + 1
    assert now_best != first_best
    index.answers.clear()
    assert await index.search(best, None) == now_best


async def test_a_sorted_first_page_is_sorted_again_among_the_movies_that_can_make_it(
    index: EmbeddedSearchIndex,
) -> None:
    movies = await indexed_draws(index, 8)
    best = SearchCriteria(sort=Sort("rating", True), per_page=5)
    first = await index.search(best, None)
    computed = index.answers.computed
    shown = {hit.movie.id for hit in first.hits}
    climber = next(m for m in movies if m.id not in shown)

    await index.upsert([dataclasses.replace(climber, version=2, rating=10.0)])
    ranked = await index.search(best, None)
    assert index.answers.computed == computed
    assert [h.movie.id for h in ranked.hits] == [climber.id] + [h.movie.id for h in first.hits[:4]]

    await index.upsert([sunk(hit.movie) for hit in ranked.hits[:3]])  # seven of ten remain
    again = await index.search(best, None)
    assert index.answers.computed == computed
    await index.upsert([sunk(hit.movie) for hit in again.hits[:3]])  # four: too few
    filled = await index.search(best, None)
    assert index.answers.computed == computed + 1
    index.answers.clear()
    assert await index.search(best, None) == filled


@pytest.mark.parametrize("seed", [1, 20_240_607, 5])
async def test_kept_pages_are_the_pages_computed_afresh(
    index: EmbeddedSearchIndex, tmp_path: Path, seed: int
) -> None:
    """Random writes, then every search through the kept pages and through a second handle
    on the same directory that keeps nothing, page by page along the positions."""
    rng = random.Random(seed)
    versions = {f"m{n:03d}": 1 for n in range(60)}
    await index.upsert([drawn(rng, movie_id, 1) for movie_id in versions])
    fresh = EmbeddedSearchIndex(tmp_path)
    await fresh.start()
    asked = 0
    try:
        for round_ in range(30):
            for _ in range(rng.randint(1, 4)):
                movie_id = rng.choice(sorted(versions))
                versions[movie_id] += 1
                if rng.random() < 0.15:
                    await index.delete([(movie_id, versions.pop(movie_id))])
                    versions[f"n{round_:03d}"] = 1
                    await index.upsert([drawn(rng, f"n{round_:03d}", 1)])
                else:
                    await index.upsert([drawn(rng, movie_id, versions[movie_id])])
            for criteria in CRITERIA:
                position = None
                for _page in range(3):
                    kept = await index.search(criteria, position)
                    fresh.answers.clear()
                    expected = await fresh.search(criteria, position)
                    assert kept == expected, f"round {round_}: {criteria} at {position}"
                    asked += 1
                    position = expected.next_position
                    if position is None:
                        break
    finally:
        await fresh.close()
    assert index.answers.computed < asked * 3 / 4, "hardly a page was kept across commits"
