"""The import readers: JSON arrays, NDJSON, CSV and standard input, with line numbers."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from filmflare.entrypoints.cli.csv_rows import csv_rows
from filmflare.entrypoints.cli.json_array import json_array_rows
from filmflare.entrypoints.cli.readers import guess_format, open_rows, read_rows
from filmflare.entrypoints.cli.rows import NOT_UTF8, Row, UnreadableInput


def rows(data: bytes, fmt: str) -> list[Row]:
    return list(read_rows(io.BytesIO(data), fmt))


def reasons(found: list[Row]) -> list[tuple[int, str]]:
    return [(line, value) for line, value in found if isinstance(value, str)]


# JSON arrays


def test_a_json_array_gives_each_element_with_the_line_it_starts_on() -> None:
    data = b'[\n  {"title": "Heat"},\n\n  {"title": "Ronin",\n   "year": 1998}\n]\n'
    assert rows(data, "json") == [(2, {"title": "Heat"}), (4, {"title": "Ronin", "year": 1998})]


def test_a_byte_order_mark_and_an_empty_array_are_fine() -> None:
    assert rows(b"\xef\xbb\xbf \n[ ]\n", "json") == []


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 31, 64, 200])
def test_elements_cut_by_any_chunk_edge_decode_whole(chunk: int) -> None:
    generator = random.Random(chunk)
    movies = [
        {
            "title": 'é"\\' * generator.randint(0, 5) + "x",
            "votes": generator.randint(0, 10 ** generator.randint(0, 15)),
            "rating": generator.random() * 10,
            "genres": ["Drama"] * generator.randint(0, 3),
            "overview": None,
        }
        for _ in range(60)
    ]
    text = json.dumps(movies, indent=1, ensure_ascii=False)
    got = list(json_array_rows(io.StringIO(text), chunk=chunk))
    assert [value for _, value in got] == movies
    starts = [number for number, line in enumerate(text.split("\n"), start=1) if line == " {"]
    assert [line for line, _ in got] == starts


def test_a_malformed_element_is_reported_on_its_line_and_ends_the_reading() -> None:
    data = b'[{"title": "Heat"},\n{"title": "Ronin"},\n{"title": Alien},\n{"title": "Up"}]'
    found = rows(data, "json")
    assert [value for _, value in found[:2]] == [{"title": "Heat"}, {"title": "Ronin"}]
    assert len(found) == 3
    line, reason = found[2]
    assert line == 3
    assert isinstance(reason, str)
    assert reason.startswith("malformed JSON")


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'[{"title": "Heat"},\n{"title": "Up"}', 2),  # never closed
        (b'[{"title": "Heat"},\n]', 2),  # a trailing comma
        (b'[{"title": "Heat"}\n{"title": "Up"}]', 2),  # a missing comma
        (b'[{"title": "Heat"}]\n\n{"x": 1}', 3),  # text after the array
    ],
)
def test_a_broken_array_ends_with_an_error_row(data: bytes, line: int) -> None:
    found = rows(data, "json")
    assert found[0] == (1, {"title": "Heat"})
    assert reasons(found) == [(line, found[-1][1])]
    assert str(found[-1][1]).startswith("malformed JSON")


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_a_row_that_is_not_utf8_is_rejected_alone(fmt: str) -> None:
    titles = [b"Heat", b"Ca\xf1on", "Caf\u00e9".encode()]
    if fmt == "csv":
        data = b"title\n" + b"\n".join(titles)
    else:
        data = b"\n".join(b'{"title": "' + title + b'"}' for title in titles)
        data = b"[" + data.replace(b"\n", b",\n") + b"]" if fmt == "json" else data
    found = rows(data, fmt)
    first = 2 if fmt == "csv" else 1
    assert found == [
        (first, {"title": "Heat"}),
        (first + 1, NOT_UTF8),
        (first + 2, {"title": "Caf\u00e9"}),
    ]


def test_text_that_is_no_array_cannot_be_read_as_one() -> None:
    with pytest.raises(UnreadableInput, match="array"):
        json_array_rows(io.StringIO('{"title": "Heat"}'))


# NDJSON


def test_ndjson_skips_blank_lines_and_reports_a_malformed_line_by_number() -> None:
    lines = [
        '{"title": "A"}',
        "",
        '{"title": "B"}',
        "   ",
        '{"title": "C"}',
        '{"title": "D"}',
        '{"title": "E",}',
        '{"title": "F"}',
    ]
    found = rows("\n".join(lines).encode(), "ndjson")
    assert [line for line, _ in found] == [1, 3, 5, 6, 7, 8]
    assert found[-1] == (8, {"title": "F"})
    assert reasons(found) == [(7, found[4][1])]
    assert str(found[4][1]).startswith("malformed JSON")


def test_ndjson_rejects_a_line_that_is_not_utf8_and_goes_on() -> None:
    found = rows(b'\xef\xbb\xbf{"title": "A"}\r\n{"title": "\xff"}\n{"title": "C"}', "ndjson")
    assert found[0] == (1, {"title": "A"})
    assert found[1] == (2, NOT_UTF8)
    assert found[2] == (3, {"title": "C"})


def test_a_json_file_of_one_object_per_line_is_read_as_ndjson() -> None:
    assert rows(b'\n{"title": "A"}\n{"title": "B"}\n', "json") == [
        (2, {"title": "A"}),
        (3, {"title": "B"}),
    ]


# CSV


def test_csv_splits_lists_turns_empty_cells_to_null_and_parses_numbers() -> None:
    data = (
        b"title,genres,directors,cast,year,rating,votes,runtime_minutes,language\r\n"
        b"Heat,Crime|Drama,Michael Mann,Al Pacino| Robert De Niro,1995,8.3,700000,170,en\r\n"
        b"Up,,,,,,,,\r\n"
    )
    assert rows(data, "csv") == [
        (
            2,
            {
                "title": "Heat",
                "genres": ["Crime", "Drama"],
                "directors": ["Michael Mann"],
                "cast": ["Al Pacino", " Robert De Niro"],
                "year": 1995,
                "rating": 8.3,
                "votes": 700000,
                "runtime_minutes": 170,
                "language": "en",
            },
        ),
        (
            3,
            {
                "title": "Up",
                "genres": None,
                "directors": None,
                "cast": None,
                "year": None,
                "rating": None,
                "votes": None,
                "runtime_minutes": None,
                "language": None,
            },
        ),
    ]


def test_csv_keeps_text_that_is_no_number_for_the_rules_to_reject() -> None:
    found = rows(b"title,year,rating\nHeat,1995a,eight\nUp,2009,-1e1\n", "csv")
    assert found == [
        (2, {"title": "Heat", "year": "1995a", "rating": "eight"}),
        (3, {"title": "Up", "year": 2009, "rating": -10.0}),
    ]


def test_csv_line_numbers_count_multi_line_cells_and_skip_blank_lines() -> None:
    data = b'title,overview\n"Heat","One\nTwo\nThree"\n\n,\nUp,x,extra\nAlien,\n'
    found = rows(data, "csv")
    assert found[0] == (2, {"title": "Heat", "overview": "One\nTwo\nThree"})
    assert found[1] == (7, "has 3 cells but the header names 2 columns")
    assert found[2] == (8, {"title": "Alien", "overview": None})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"title,budget\nHeat,1\n", "budget"),
        (b"year,genres\n1995,Drama\n", "title"),
        (b"title,title\nHeat,Heat\n", "repeats"),
    ],
)
def test_a_csv_header_that_names_no_movie_is_unreadable(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableInput, match=message):
        csv_rows(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))


# Opening sources


@pytest.mark.parametrize(
    ("source", "fmt"),
    [
        ("movies.json", "json"),
        ("MOVIES.JSON", "json"),
        ("movies.ndjson", "ndjson"),
        ("movies.jsonl", "ndjson"),
        ("movies.csv", "csv"),
        ("-", "json"),
        ("movies.txt", None),
        ("movies", None),
    ],
)
def test_the_format_follows_the_extension(source: str, fmt: str | None) -> None:
    assert guess_format(source) == fmt


def test_standard_input_is_read_as_an_array_or_as_lines() -> None:
    array = io.BytesIO(b'  [{"title": "A"}, {"title": "B"}]')
    with open_rows("-", "json", stdin=array) as found:
        assert list(found) == [(1, {"title": "A"}), (1, {"title": "B"})]
    lines = io.BytesIO(b'{"title": "A"}\n{"title": "B"}\n')
    with open_rows("-", "json", stdin=lines) as found:
        assert list(found) == [(1, {"title": "A"}), (2, {"title": "B"})]


def test_a_file_is_read_and_closed(tmp_path: Path) -> None:
    path = tmp_path / "movies.csv"
    path.write_text("title\nHeat\n")
    with open_rows(str(path), "csv") as found:
        assert list(found) == [(2, {"title": "Heat"})]


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with (
        pytest.raises(UnreadableInput, match="cannot open"),
        open_rows(str(tmp_path / "nope.json"), "json"),
    ):
        pass


# Strict JSON: the one parse request bodies use too (``strict_json``).


def test_an_element_with_a_repeated_member_is_rejected_alone_on_its_line() -> None:
    data = b'[{"title": "Heat"},\n{"title": "Ronin",\n "title": "Up"},\n{"title": "Alien"}]'
    found = rows(data, "json")
    assert found[0] == (1, {"title": "Heat"})
    assert found[2] == (4, {"title": "Alien"})
    assert found[1][0] == 2
    assert found[1][1] == 'malformed JSON: member "title" appears more than once in one object'


def test_an_element_that_only_strict_json_refuses_does_not_end_the_reading() -> None:
    data = b'[{"title": "A", "rating": NaN}, {"title": "B", "x": {"y": 1, "y": 2}}, {"title": "C"}]'
    found = rows(data, "json")
    assert [line for line, _ in found] == [1, 1, 1]
    assert str(found[0][1]).startswith("malformed JSON")
    assert str(found[1][1]).startswith('malformed JSON: member "y"')
    assert found[2] == (1, {"title": "C"})


def test_an_ndjson_line_with_a_repeated_member_is_rejected_with_its_reason() -> None:
    data = b'{"title": "A"}\n{"title": "B", "title": "C"}\n{"title": "D", "rating": NaN}\n'
    found = rows(data, "ndjson")
    assert found[0] == (1, {"title": "A"})
    assert found[1] == (2, 'malformed JSON: member "title" appears more than once in one object')
    assert found[2][0] == 3
    assert str(found[2][1]).startswith("malformed JSON: ")
    assert "(column " in str(found[2][1])
