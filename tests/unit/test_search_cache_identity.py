"""Searches that differ only in spelling share one cache entry and one cursor family."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from filmflare.application.search_movies import canonical
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.query_params import parse_search_params


def parse(query: str) -> SearchCriteria:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    return parse_search_params(pairs)  # type: ignore[arg-type]


def identity(query: str) -> str:
    return canonical(parse(query)).fingerprint()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("q=The Godfather&genre=Crime&genre=drama", "genre=DRAMA&q=the  godfather&genre=crime"),
        ("title=HEAT&director=Michael Mann", "director=michael   mann&title=heat"),
        ("cast=Al Pacino&genre=Crime&genre=crime", "cast=al pacino&genre=CRIME"),
        ("language=EN&certification=pg-13", "certification=PG-13&language=en"),
        ("", "sort=-votes&page=1&per_page=20&genre_match=any&highlight=false"),
        ("q=heat&sort=relevance", "q=heat"),
    ],
)
def test_spellings_of_one_search_share_an_identity(one: str, other: str) -> None:
    assert identity(one) == identity(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("q=heat", "q=heath"),
        ("q=the godfather", "q=godfather the"),  # the last word is a prefix: order matters
        ("genre=crime", "genre=crime&genre=drama"),
        ("genre=crime&genre=drama", "genre=crime&genre=drama&genre_match=all"),
        ("q=heat", "title=heat"),
        ("sort=year", "sort=-year"),
    ],
)
def test_different_searches_keep_apart(one: str, other: str) -> None:
    assert identity(one) != identity(other)


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    async with build(Settings(data_dir=tmp_path)) as built:
        for title in ("Heat", "Heat Wave", "Heat of the Night"):
            await built.add_movie.execute({"title": title, "genres": ["Crime", "Drama"]})
        await built.indexer.catch_up()
        yield built


@pytest.mark.anyio
async def test_a_cursor_continues_another_spelling_of_its_search(container: Container) -> None:
    first = orjson.loads(
        (await container.search_movies.execute(parse("q=Heat&genre=Crime&per_page=1"))).body
    )
    again = await container.search_movies.execute(parse("genre=crime&q=heat&per_page=1"))
    assert orjson.loads(again.body) == first
    cursor = first["next_cursor"]
    assert cursor
    second = orjson.loads(
        (
            await container.search_movies.execute(
                parse(f"q=HEAT&genre=CRIME&per_page=1&cursor={cursor}")
            )
        ).body
    )
    assert second["page"] == 2
    assert second["results"][0]["id"] != first["results"][0]["id"]
