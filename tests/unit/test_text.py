"""The text-matching rules every search engine and the highlighter share."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie, MovieData
from filmflare.domain.text import fold, highlight_movie, matches, max_edits, word_spans, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Amélie", "amelie"),
        ("Straße", "strasse"),
        ("ŁÓDŹ", "lodz"),
        ("Ærø Œuvre", "aero oeuvre"),
        ("ﬁlm Ⅳ", "film iv"),
        ("İstanbul", "istanbul"),
        ("Cafe\u0301", "cafe"),
        ("plain ASCII", "plain ascii"),
    ],
)
def test_fold_drops_accents_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_words_split_on_everything_but_letters_digits_and_marks() -> None:
    assert words("The Matrix: Reloaded (2003)") == ["the", "matrix", "reloaded", "2003"]
    assert words("snake_case, O'Neil & co.") == ["snake", "case", "o", "neil", "co"]
    assert words("Cafe\u0301s — Ærø") == ["cafes", "aero"]
    assert words("山田 太郎 🎬") == ["山田", "太郎"]
    assert words("हिन्दी फ़िल्म") == [fold("हिन्दी"), fold("फ़िल्म")]
    assert words("  ... ") == []


def test_word_spans_point_into_the_original_text() -> None:
    text = "Amélie, Cafe\u0301 & 2046"
    spans = word_spans(text)
    assert [w for w, _, _ in spans] == ["amelie", "cafe", "2046"]
    assert [text[start:end] for _, start, end in spans] == ["Amélie", "Cafe\u0301", "2046"]


@pytest.mark.parametrize(
    ("word", "edits"), [("abcd", 0), ("abcde", 1), ("abcdefgh", 1), ("abcdefghi", 2)]
)
def test_edits_grow_with_word_length(word: str, edits: int) -> None:
    assert max_edits(word) == edits


@pytest.mark.parametrize(
    ("query", "word", "prefix", "expected"),
    [
        ("matrix", "matrix", False, True),
        ("matirx", "matrix", False, True),  # transposition
        ("mtrix", "matrix", False, True),  # deletion
        ("maatrix", "matrix", False, True),  # insertion
        ("metrix", "matrix", False, True),  # substitution
        ("mxtrxx", "matrix", False, False),
        ("heta", "heat", False, False),  # short words take no edit
        ("heat", "heatwave", False, False),
        ("heat", "heatwave", True, True),
        ("hea", "heat", True, True),
        ("haet", "heat", True, False),
        ("gdofa", "godfather", True, True),  # a prefix within one edit
        ("tremintaor", "terminator", False, True),  # two transpositions at 10 letters
        ("trmeinatro", "terminator", False, False),
        ("terminator", "terminator2", False, True),
        ("scarface", "scarface", True, True),
    ],
)
def test_matches(query: str, word: str, prefix: bool, expected: bool) -> None:
    assert matches(query, word, prefix) is expected


def _osa(a: str, b: str) -> int:
    """The textbook optimal-string-alignment distance, as a reference."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = int(a[i - 1] != b[j - 1])
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_matches_agrees_with_the_reference_distance() -> None:
    chance = random.Random(7)
    for _ in range(3000):
        query = "".join(chance.choice("abc") for _ in range(chance.randint(1, 10)))
        word = "".join(chance.choice("abc") for _ in range(chance.randint(0, 12)))
        limit = max_edits(query)
        assert matches(query, word, False) is (_osa(query, word) <= limit), (query, word)
        closest = min(_osa(query, word[:n]) for n in range(len(word) + 1))
        assert matches(query, word, True) is (closest <= limit), (query, word)


MATRIX = Movie.create(
    "m1",
    MovieData(
        title="The Matrix & <Friends>",
        original_title="Matrix",
        directors=("Lana Wachowski", "Lilly Wachowski"),
        cast=("Keanu Reeves", "A & B"),
        overview="Neo learns the truth about the matrix.",
    ),
    datetime(2024, 1, 1, tzinfo=UTC),
)


def test_highlight_marks_every_matched_word_of_q() -> None:
    marked = highlight_movie(MATRIX, SearchCriteria(q="matirx wachowski"))
    assert marked == {
        "title": "The <em>Matrix</em> &amp; &lt;Friends&gt;",
        "original_title": "<em>Matrix</em>",
        "overview": "Neo learns the truth about the <em>matrix</em>.",
        "directors": ["Lana <em>Wachowski</em>", "Lilly <em>Wachowski</em>"],
    }


def test_highlight_keeps_every_item_of_a_matched_list() -> None:
    marked = highlight_movie(MATRIX, SearchCriteria(q="kean"))
    assert marked == {"cast": ["<em>Keanu</em> Reeves", "A &amp; B"]}


def test_highlight_for_title_covers_titles_only() -> None:
    assert highlight_movie(MATRIX, SearchCriteria(title="wachowski")) == {}
    both = highlight_movie(MATRIX, SearchCriteria(q="neo", title="friend"))
    assert both == {
        "title": "The Matrix &amp; &lt;<em>Friends</em>&gt;",
        "overview": "<em>Neo</em> learns the truth about the matrix.",
    }


def test_highlight_keeps_the_original_spelling() -> None:
    movie = Movie.create(
        "m2", MovieData(title="AMÉLIE à Cafe\u0301"), datetime(2024, 1, 1, tzinfo=UTC)
    )
    marked = highlight_movie(movie, SearchCriteria(q="amelie cafe"))
    assert marked == {"title": "<em>AMÉLIE</em> à <em>Cafe\u0301</em>"}
    assert highlight_movie(movie, SearchCriteria()) == {}
