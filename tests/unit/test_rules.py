"""The movie contract's validation rules, through ``parse_movie_data`` and ``merge_patch``."""

from __future__ import annotations

from datetime import date

import pytest

from filmflare.domain.errors import ValidationFailed
from filmflare.domain.movie import MovieData
from filmflare.domain.rules import merge_patch, parse_movie_data


def fields_of(raw: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_movie_data(raw)
    return {e.field: e.message for e in caught.value.errors}


def test_minimal_movie_fills_defaults() -> None:
    data = parse_movie_data({"title": "  Heat  "})
    assert data == MovieData(title="Heat")


def test_full_movie_is_normalized() -> None:
    data = parse_movie_data(
        {
            "title": "Amélie",
            "original_title": " Le Fabuleux Destin d'Amélie Poulain ",
            "release_date": "2001-04-25",
            "genres": ["Comedy", "romance", "COMEDY", " Romance "],
            "directors": ["Jean-Pierre Jeunet"],
            "cast": ["Audrey Tautou", "Mathieu Kassovitz"],
            "overview": "A shy waitress.",
            "runtime_minutes": 122,
            "rating": 8,
            "votes": 700000,
            "language": "FR",
            "certification": "R",
        }
    )
    assert data.year == 2001
    assert data.release_date == date(2001, 4, 25)
    assert data.genres == ("Comedy", "romance")
    assert data.language == "fr"
    assert data.rating == 8.0
    assert isinstance(data.rating, float)
    assert data.original_title == "Le Fabuleux Destin d'Amélie Poulain"


def test_every_broken_field_is_named() -> None:
    errors = fields_of(
        {
            "title": "",
            "year": 1869,
            "genres": ["ok", ""],
            "runtime_minutes": 0,
            "rating": 10.5,
            "votes": -1,
            "language": "english",
            "certification": "X" * 11,
            "id": "abc",
            "version": 3,
            "colour": "red",
        }
    )
    assert set(errors) == {
        "title",
        "year",
        "genres[1]",
        "runtime_minutes",
        "rating",
        "votes",
        "language",
        "certification",
        "id",
        "version",
        "colour",
    }


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "title"),
        ({"title": None}, "title"),
        ({"title": 12}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": "t", "year": "1999"}, "year"),
        ({"title": "t", "year": True}, "year"),
        ({"title": "t", "year": 1999.5}, "year"),
        ({"title": "t", "rating": "9"}, "rating"),
        ({"title": "t", "rating": False}, "rating"),
        ({"title": "t", "votes": 2**53}, "votes"),
        ({"title": "t", "release_date": "2001-02-30"}, "release_date"),
        ({"title": "t", "release_date": "2001-2-3"}, "release_date"),
        ({"title": "t", "release_date": "1700-01-01"}, "release_date"),
        ({"title": "t", "release_date": "2001-02-03", "year": 2000}, "year"),
        ({"title": "t", "genres": "Drama"}, "genres"),
        ({"title": "t", "genres": [str(i) for i in range(11)]}, "genres"),
        ({"title": "t", "genres": ["x" * 41]}, "genres[0]"),
        ({"title": "t", "directors": [None]}, "directors[0]"),
        ({"title": "t", "cast": ["a"] * 101}, "cast"),
        ({"title": "t", "overview": "x" * 5001}, "overview"),
        ({"title": "t", "language": "zz"}, "language"),
        ({"title": "t", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"title": "t", "external_id": "imdb tt1"}, "external_id"),
        ({"title": "t", "external_id": "imdb/tt1"}, "external_id"),
        ({"title": "t", "external_id": "é"}, "external_id"),
        ({"title": "t", "external_id": "x" * 101}, "external_id"),
        ({"title": "t", "external_id": 7}, "external_id"),
    ],
)
def test_rule_broken(raw: dict[str, object], field: str) -> None:
    assert field in fields_of(raw)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("imdb:tt0068646", "imdb:tt0068646"), (" Tmdb.949_a-b ", "Tmdb.949_a-b"), ("  ", None)],
)
def test_external_id_is_trimmed_and_kept_exactly(raw: str, stored: str | None) -> None:
    assert parse_movie_data({"title": "t", "external_id": raw}).external_id == stored
    assert parse_movie_data({"title": "t", "external_id": "x" * 100}).external_id == "x" * 100


def test_body_must_be_an_object() -> None:
    assert "body" in fields_of(["title"])


def test_genre_limit_applies_after_duplicates_are_removed() -> None:
    names = [f"g{i}" for i in range(10)] + ["G0", "g1"]
    assert len(parse_movie_data({"title": "t", "genres": names}).genres) == 10


def test_lengths_count_code_points() -> None:
    assert parse_movie_data({"title": "é" * 300}).title == "é" * 300


def test_strings_are_not_normalized() -> None:
    decomposed = "Ame\u0301lie"
    assert parse_movie_data({"title": decomposed}).title == decomposed


def test_null_lists_mean_empty() -> None:
    assert parse_movie_data({"title": "t", "cast": None}).cast == ()


BASE = MovieData(
    title="Heat", year=1995, release_date=date(1995, 12, 15), genres=("Crime",), votes=10
)


def test_patch_changes_only_what_it_names() -> None:
    patched = merge_patch(BASE, {"votes": 11})
    assert patched == MovieData(
        title="Heat", year=1995, release_date=date(1995, 12, 15), genres=("Crime",), votes=11
    )


def test_patch_null_empties_a_list_and_removes_a_value() -> None:
    patched = merge_patch(BASE, {"genres": None, "votes": None})
    assert patched.genres == ()
    assert patched.votes is None


def test_patch_null_title_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        merge_patch(BASE, {"title": None})
    assert caught.value.errors[0].field == "title"


def test_patch_release_date_alone_rederives_year() -> None:
    assert merge_patch(BASE, {"release_date": "2001-01-01"}).year == 2001


def test_patch_year_that_disagrees_with_release_date_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        merge_patch(BASE, {"year": 1996})


def test_patch_removing_release_date_keeps_year() -> None:
    patched = merge_patch(BASE, {"release_date": None})
    assert patched.release_date is None
    assert patched.year == 1995


@pytest.mark.parametrize("patch", [[], "x", {"nope": None}, {"id": "x"}])
def test_patch_must_be_an_object_of_client_fields(patch: object) -> None:
    with pytest.raises(ValidationFailed):
        merge_patch(BASE, patch)


# Control characters: every string field, list items too; tab, line feed and carriage return
# are text.

_STRING_FIELDS = {
    "title": "Heat{}",
    "original_title": "Heat{}",
    "overview": "A heist{}",
    "certification": "R{}",
    "external_id": "imdb:{}",
    "language": "e{}",
    "release_date": "1995-12-1{}",
}


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1b", "\x7f", "\x80", "\x85", "\x9f"])
@pytest.mark.parametrize("field", sorted(_STRING_FIELDS))
def test_a_control_character_in_any_string_field_is_named(field: str, control: str) -> None:
    raw = {"title": "t", field: _STRING_FIELDS[field].format(control)}
    message = fields_of(raw)[field]
    assert "control characters" in message
    assert f"U+{ord(control):04X}" in message


@pytest.mark.parametrize("field", ["genres", "directors", "cast"])
def test_a_control_character_in_a_list_item_names_the_item(field: str) -> None:
    errors = fields_of({"title": "t", field: ["Fine", "Bad\x00Name"]})
    assert set(errors) == {f"{field}[1]"}


def test_a_control_character_is_refused_even_where_trimming_would_drop_it() -> None:
    # \x0b, \x0c, \x1c-\x1f and \x85 are white space to str.strip(): still refused.
    for control in ("\x0b", "\x0c", "\x1c", "\x85"):
        assert "title" in fields_of({"title": "Heat" + control})


def test_tab_line_feed_and_carriage_return_are_text() -> None:
    data = parse_movie_data({"title": "Heat", "overview": "One\tTwo\r\nThree\nFour"})
    assert data.overview == "One\tTwo\r\nThree\nFour"


def test_format_characters_are_text() -> None:
    # Zero-width joiner and a right-to-left mark: category Cf, not controls.
    title = "\u200dHeat\u200f"
    assert parse_movie_data({"title": title}).title == title


def test_a_patch_cannot_bring_a_control_character_in() -> None:
    with pytest.raises(ValidationFailed) as caught:
        merge_patch(MovieData(title="Heat"), {"cast": ["Al\x00Pacino"]})
    assert [e.field for e in caught.value.errors] == ["cast[0]"]
