"""Typo relevance on the demo catalog: the most voted films, found by their title with two
inner letters of its longest word swapped (a slip users make), in the first three results.

The probe is the same on every engine (``SearchIndexContract`` runs it on each): the 30
most voted films whose longest title word has 5 letters or more (a shorter word tolerates
no edit), each searched once by ``q``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.errors import ValidationFailed
from filmflare.domain.movie import Movie
from filmflare.domain.rules import parse_movie_data
from filmflare.domain.text import words
from filmflare.entrypoints.cli.demo_catalog import CATALOG, map_vega_movie
from filmflare.ports.search_index import MovieSearchIndex

TITLES = 30
TOP = 3
T0 = datetime(2024, 5, 17, tzinfo=UTC)


def demo_movies() -> list[Movie]:
    """The demo catalog's movies that pass the rules, ids in file order."""
    with CATALOG.open(encoding="utf-8") as file:
        raw = json.load(file)
    movies = []
    for number, row in enumerate(raw):
        try:
            data = parse_movie_data(map_vega_movie(row))
        except ValidationFailed:
            continue
        movies.append(Movie.create(f"m{number:05d}", data, T0))
    return movies


def swapped(word: str) -> str:
    """``word`` with its two middle letters swapped (the first inner pair that differs)."""
    middle = len(word) // 2
    for at in (middle - 1, middle, middle - 2):
        if 1 <= at < len(word) - 2 and word[at] != word[at + 1]:
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def probes(movies: list[Movie]) -> list[tuple[str, str]]:
    """(typed query, the film it should find) for the most voted films."""
    chosen: list[tuple[str, str]] = []
    for film in sorted(movies, key=lambda m: (-(m.votes or 0), m.id)):
        typed = words(film.title)
        longest = max(typed, key=len, default="")
        if len(longest) < 5 or swapped(longest) == longest:
            continue
        at = typed.index(longest)
        query = " ".join([*typed[:at], swapped(longest), *typed[at + 1 :]])
        chosen.append((query, film.id))
        if len(chosen) == TITLES:
            break
    return chosen


async def found_in_top(index: MovieSearchIndex, movies: list[Movie]) -> tuple[int, list[str]]:
    """How many probes find their film in the first ``TOP`` results, and the misses."""
    misses = []
    for query, film in probes(movies):
        page = await index.search(SearchCriteria(q=query, per_page=TOP), None)
        if film not in [hit.movie.id for hit in page.hits]:
            misses.append(query)
    return TITLES - len(misses), misses
