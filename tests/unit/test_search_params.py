"""Search parameters: parsing, validation, sort defaults and cursors."""

from __future__ import annotations

import pytest

from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.cursor import Cursor
from filmflare.domain.errors import BadRequest, ValidationFailed
from filmflare.domain.query_params import (
    parse_search_params,
    parse_suggest_params,
    reject_params,
)


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
