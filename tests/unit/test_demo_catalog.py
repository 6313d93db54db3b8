"""The demo catalog's mapping from vega-datasets' movies.json onto the movie resource."""

from __future__ import annotations

from datetime import date

import pytest

from filmflare.domain.errors import ValidationFailed
from filmflare.domain.rules import parse_movie_data
from filmflare.entrypoints.cli.demo_catalog import CATALOG, demo_rows, map_vega_movie
from filmflare.entrypoints.cli.readers import open_rows

LAND_GIRLS = {
    "Title": "The Land Girls",
    "US Gross": 146083,
    "Release Date": "Jun 12 1998",
    "MPAA Rating": "R",
    "Running Time min": None,
    "Major Genre": None,
    "Director": None,
    "IMDB Rating": 6.1,
    "IMDB Votes": 1071,
}


def test_a_record_maps_onto_the_client_fields_only() -> None:
    assert map_vega_movie(LAND_GIRLS) == {
        "title": "The Land Girls",
        "release_date": "1998-06-12",
        "genres": [],
        "directors": [],
        "runtime_minutes": None,
        "rating": 6.1,
        "votes": 1071,
        "certification": "R",
    }
    data = parse_movie_data(map_vega_movie(LAND_GIRLS))
    assert data.year == 1998
    assert data.release_date == date(1998, 6, 12)
    assert data.language is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aug 07 1998", "1998-08-07"),
        ("Dec 31 1928", "1928-12-31"),
        ("Jan 28 2011", "2011-01-28"),
        ("Dec 15 2039", "1939-12-15"),  # a two-digit year expanded into the wrong century
        ("Feb 29 2000", "2000-02-29"),
        ("Feb 30 1999", None),
        ("Foo 12 1999", None),
        ("1998-06-12", None),
        ("", None),
        (None, None),
        (19980612, None),
    ],
)
def test_release_dates_become_iso_dates_or_null(text: object, expected: str | None) -> None:
    assert map_vega_movie({"Title": "X", "Release Date": text})["release_date"] == expected


@pytest.mark.parametrize(("title", "expected"), [(1776, "1776"), (300, "300"), (9.0, "9")])
def test_numeric_titles_become_text(title: object, expected: str) -> None:
    assert parse_movie_data(map_vega_movie({"Title": title})).title == expected


def test_a_missing_title_is_left_for_the_rules_to_reject() -> None:
    with pytest.raises(ValidationFailed, match="title"):
        parse_movie_data(map_vega_movie({"Title": None, "Release Date": "Nov 03 2006"}))


def test_genre_director_and_certification() -> None:
    movie = map_vega_movie(
        {"Title": "X", "Major Genre": "Drama", "Director": "Ang Lee", "MPAA Rating": "Not Rated"}
    )
    assert (movie["genres"], movie["directors"], movie["certification"]) == (
        ["Drama"],
        ["Ang Lee"],
        "NR",
    )
    assert map_vega_movie({"Title": "X", "MPAA Rating": "Open"})["certification"] is None
    assert map_vega_movie({"Title": "X", "MPAA Rating": None})["certification"] is None


def test_numbers_that_are_not_numbers_become_null() -> None:
    movie = map_vega_movie(
        {"Title": "X", "Running Time min": "long", "IMDB Rating": True, "IMDB Votes": 5}
    )
    assert (movie["runtime_minutes"], movie["rating"], movie["votes"]) == (None, None, 5)


def test_rows_that_are_errors_pass_through() -> None:
    assert list(demo_rows([(3, "malformed JSON"), (4, [1])])) == [(3, "malformed JSON"), (4, [1])]


def test_the_whole_catalog_maps_onto_valid_movies() -> None:
    valid: list[int] = []
    rejected: dict[int, str] = {}
    with open_rows(str(CATALOG), "json") as rows:
        for line, movie in demo_rows(rows):
            try:
                data = parse_movie_data(movie)
            except ValidationFailed as failed:
                rejected[line] = str(failed)
                continue
            assert data.year is None or 1870 <= data.year <= 2011
            valid.append(line)
    assert len(valid) >= 3150
    assert len(valid) + len(rejected) == 3201
    assert set(rejected.values()) <= {"title: must not be null"}
