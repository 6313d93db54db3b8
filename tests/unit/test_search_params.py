"""Search parameters: parsing, validation, sort defaults and cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator

import pytest

from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.cursor import MAX_CURSOR_LENGTH, MAX_PAGE, MAX_POSITION_ITEMS, Cursor
from filmflare.domain.errors import BadRequest, ValidationFailed
from filmflare.domain.query_params import (
    MAX_PARAMS,
    QUERY_STRING,
    parse_search_params,
    parse_suggest_params,
    reject_params,
)
from filmflare.domain.search import Position


def parse(query: str) -> SearchCriteria:
    pairs = [tuple(part.split("=", 1)) for part in query.split("&") if part]
    return parse_search_params([(name, value) for name, value in pairs])


def failing(query: str) -> set[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(query)
    return {e.field for e in caught.value.errors}


def test_defaults() -> None:
    criteria = parse("")
    assert criteria.page == 1
    assert criteria.per_page == 20
    assert criteria.effective_sort == Sort("votes", True)


def test_text_query_sorts_by_relevance_unless_asked() -> None:
    assert parse("q=heat").effective_sort == Sort("relevance", False)
    assert parse("title=heat&sort=-year").effective_sort == Sort("year", True)
    assert parse("sort=relevance").effective_sort == Sort("votes", True)


def test_every_parameter_parses() -> None:
    criteria = parse(
        "q=godfather&genre=Crime&genre=drama&genre_match=all&year_from=1970&year_to=1980"
        "&rating_min=7.5&rating_max=10&votes_min=100&runtime_min=90&runtime_max=200"
        "&director=coppola&cast=pacino&language=EN&certification=r&sort=-rating&page=2"
        "&per_page=50&facets=genres,decade&highlight=true"
    )
    assert criteria.genres == ("Crime", "drama")
    assert criteria.genre_match == "all"
    assert criteria.rating_min == 7.5
    assert criteria.language == "en"
    assert criteria.certification == "r"
    assert criteria.facets == ("genres", "decade")
    assert criteria.highlight is True
    assert criteria.offset == 50


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("year=abc", "year"),
        ("year=1800", "year"),
        ("year=1990&year=1991", "year"),
        ("rating_min=nan", "rating_min"),
        ("rating_min=11", "rating_min"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("sort=budget", "sort"),
        ("sort=-relevance", "sort"),
        ("facets=genres,budget", "facets"),
        ("highlight=maybe", "highlight"),
        ("genre_match=some", "genre_match"),
        ("genre=", "genre"),
        ("year_from=2000&year_to=1990", "year_from"),
        ("rating_min=8&rating_max=7", "rating_min"),
        ("runtime_min=200&runtime_max=100", "runtime_min"),
        ("q=" + "x" * 501, "q"),
    ],
)
def test_bad_parameters_are_named(query: str, field: str) -> None:
    assert field in failing(query)


def test_deep_page_points_to_cursor() -> None:
    with pytest.raises(BadRequest, match="cursor"):
        parse("page=101&per_page=100")
    assert parse("page=100&per_page=100").offset == 9900


def test_fingerprint_ignores_paging_but_not_filters() -> None:
    assert parse("q=heat&page=2").fingerprint() == parse("q=heat&per_page=5").fingerprint()
    assert parse("q=heat").fingerprint() != parse("q=heat&year=1995").fingerprint()
    assert parse("").fingerprint() == parse("sort=-votes").fingerprint()


def test_cursor_round_trip_and_mismatch() -> None:
    token = Cursor("abc", 3, [40]).encode()
    assert Cursor.decode(token, "abc") == Cursor("abc", 3, [40])
    with pytest.raises(BadRequest):
        Cursor.decode(token, "other")
    for junk in ("", "!!!", "bm90IGpzb24", Cursor("abc", 1, []).encode()):
        with pytest.raises(BadRequest):
            Cursor.decode(junk, "abc")


def test_cursor_lifts_the_page_window() -> None:
    criteria = parse("page=500&per_page=100&cursor=x")
    assert criteria.cursor == "x"


def test_suggest_params() -> None:
    assert parse_suggest_params([("q", " god ")]) == ("god", 10)
    assert parse_suggest_params([]) == ("", 10)
    assert parse_suggest_params([("q", "a"), ("limit", "20")]) == ("a", 20)
    for bad in ([("limit", "21")], [("limit", "0")], [("x", "1")], [("q", "a"), ("q", "b")]):
        with pytest.raises(ValidationFailed):
            parse_suggest_params(bad)


def test_reject_params() -> None:
    reject_params([])
    with pytest.raises(ValidationFailed):
        reject_params([("x", "1")])


# Integers and numbers are ASCII; text holds no control character.


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("year", "１９９５"),  # full-width digits
        ("year", "١٩٩٥"),  # Arabic-Indic digits
        ("year", "۱۹۹۵"),  # Extended Arabic-Indic digits
        ("year", "1_995"),
        ("year", "1995.0"),
        ("year", "0x7cb"),
        ("year", ""),
        ("per_page", "+"),
        ("votes_min", "1" * 5000),  # past int()'s digit limit: out of range, not a crash
        ("rating_min", "٧"),
        ("rating_min", "７.５"),
        ("rating_min", "7_5"),
        ("rating_min", "nan"),
        ("rating_min", "inf"),
        ("rating_min", "1e999"),
        ("rating_min", "."),
        ("rating_min", "7,5"),
    ],
)
def test_numbers_are_ascii(name: str, value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_search_params([(name, value)])
    assert [e.field for e in caught.value.errors] == [name]


def test_a_non_ascii_integer_says_what_is_expected() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_search_params([("year", "١٩٩٥")])
    assert "ASCII digits" in caught.value.errors[0].message
    with pytest.raises(ValidationFailed) as caught:
        parse_suggest_params([("limit", "５")])
    assert "ASCII digits" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("name", "value", "parsed"),
    [
        ("year", "1995", 1995),
        ("year", " 01995 ", 1995),
        ("per_page", "+5", 5),
        ("votes_min", "0", 0),
        ("rating_min", "7.5", 7.5),
        ("rating_min", "-0", 0.0),
        ("rating_min", "7.", 7.0),
        ("rating_min", ".5", 0.5),
        ("rating_min", "75e-1", 7.5),
        ("rating_max", "1E1", 10.0),
    ],
)
def test_ascii_numbers_parse(name: str, value: str, parsed: float) -> None:
    assert getattr(parse_search_params([(name, value)]), name) == parsed


@pytest.mark.parametrize(
    "name", ["q", "title", "director", "cast", "genre", "language", "certification", "cursor"]
)
@pytest.mark.parametrize("control", ["\x00", "\x1f", "\x7f", "\x85", "\x9b"])
def test_a_control_character_in_a_text_parameter_is_named(name: str, control: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_search_params([(name, f"go{control}d")])
    assert [e.field for e in caught.value.errors] == [name]
    assert "control characters" in caught.value.errors[0].message


def test_a_control_character_in_what_was_typed_is_named() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_suggest_params([("q", "god\x00")])
    assert [e.field for e in caught.value.errors] == ["q"]


def test_tabs_and_line_breaks_in_text_are_white_space() -> None:
    assert parse_search_params([("q", "god\tfather\r\n")]).q == "god\tfather"


# How many parameters


@pytest.mark.parametrize("parse_params", [parse_search_params, parse_suggest_params, reject_params])
def test_too_many_parameters_are_one_error(
    parse_params: Callable[[list[tuple[str, str]]], object],
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_params([("genre", "Drama")] * (MAX_PARAMS + 1))
    assert [e.field for e in caught.value.errors] == [QUERY_STRING]
    assert str(MAX_PARAMS) in caught.value.errors[0].message


def test_the_parameter_limit_stops_reading_the_pairs() -> None:
    read = 0

    def many() -> Iterator[tuple[str, str]]:
        nonlocal read
        for _ in range(100_000):
            read += 1
            yield "genre", "Drama"

    with pytest.raises(ValidationFailed):
        parse_search_params(many())
    assert read == MAX_PARAMS + 1


def test_as_many_parameters_as_allowed_parse() -> None:
    criteria = parse_search_params([("genre", f"g{n}") for n in range(MAX_PARAMS)])
    assert len(criteria.genres) == MAX_PARAMS


# Cursors: anything but what an engine made is a 400, never something an adapter sees.


def _token(payload: object) -> str:
    raw = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_the_largest_legitimate_cursor_values_round_trip() -> None:
    positions: list[Position] = [
        [2**64 - 1, "zz"],
        [-(2**63), 1.5e308, "x" * 1000],
        [0],
        [1.0, 2, "a", "b", "c", "d", "e", "f"],
    ]
    for position in positions:
        cursor = Cursor("abc", MAX_PAGE, position)
        assert Cursor.decode(cursor.encode(), "abc") == cursor


@pytest.mark.parametrize(
    "payload",
    [
        {"f": "abc", "n": 2**64, "p": [1]},
        {"f": "abc", "n": MAX_PAGE + 1, "p": [1]},
        {"f": "abc", "n": 1, "p": [1]},
        {"f": "abc", "n": "2", "p": [1]},
        {"f": "abc", "n": 2.0, "p": [1]},
        {"f": "abc", "n": True, "p": [1]},
        {"f": "abc", "n": 2, "p": [2**64]},
        {"f": "abc", "n": 2, "p": [-(2**63) - 1]},
        {"f": "abc", "n": 2, "p": [10**400]},
        {"f": "abc", "n": 2, "p": [True]},
        {"f": "abc", "n": 2, "p": [None]},
        {"f": "abc", "n": 2, "p": [[1]]},
        {"f": "abc", "n": 2, "p": [{"a": 1}]},
        {"f": "abc", "n": 2, "p": []},
        {"f": "abc", "n": 2, "p": [1] * (MAX_POSITION_ITEMS + 1)},
        {"f": "abc", "n": 2, "p": "1"},
        {"f": "abc", "n": 2, "p": {"0": 1}},
        {"f": 1, "n": 2, "p": [1]},
        {"f": "abc", "n": 2},
        {"f": "abc", "n": 2, "p": [1], "x": 0},
        [1, 2, 3],
        "abc",
        b'{"f": "abc", "n": 2, "p": [NaN]}',
        b'{"f": "abc", "n": 2, "p": [Infinity]}',
        b'{"f": "abc", "n": 2, "p": [1e999]}',
        b'{"f": "abc", "n": NaN, "p": [1]}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"f": "abc", "n": 2, "p": [1]}\xff',
    ],
)
def test_a_damaged_cursor_is_400(payload: object) -> None:
    with pytest.raises(BadRequest, match="cursor is not valid"):
        Cursor.decode(_token(payload), "abc")


@pytest.mark.parametrize(
    "token",
    ["a b", "ab+c", "ab/c", "abc=", "abc\x00", "é", "x" * (MAX_CURSOR_LENGTH + 1)],
)
def test_a_cursor_outside_its_alphabet_or_length_is_400(token: str) -> None:
    with pytest.raises(BadRequest, match="cursor is not valid"):
        Cursor.decode(token, "abc")


def test_a_cursor_may_be_as_long_as_its_limit() -> None:
    cursor = Cursor("abc", 2, ["x" * 2000])  # a title sort's tie key holds the whole title
    assert parse(f"cursor={cursor.encode()}").cursor == cursor.encode()
    assert "cursor" in failing("cursor=" + "x" * (MAX_CURSOR_LENGTH + 1))
