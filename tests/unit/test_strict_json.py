"""Strict JSON, as request bodies and import rows are read: orjson's strictness, and no member
name repeated in an object at any depth."""

from __future__ import annotations

import sys

import orjson
import pytest

from filmflare.entrypoints.strict_json import InvalidJson, loads


@pytest.mark.parametrize(
    "text",
    [
        b'{"title": "Heat", "year": 1995}',
        b'[{"a": 1}, {"a": 2}]',  # the same name in two objects
        b'{"a": {"a": {"a": 1}}}',  # the same name at three depths
        b'{"a": 1, "A": 2, "a ": 3}',  # names differ exactly
        '{"title": "Amélie"}',
        b"[]",
        b"null",
    ],
)
def test_strict_json_reads_as_orjson_does(text: bytes | str) -> None:
    assert loads(text) == orjson.loads(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (b'{"title": "Heat", "title": "Ronin"}', '"title"'),
        (b'{"title": "Heat", "\\u0074itle": "Ronin"}', '"title"'),  # spelled with an escape
        (b'{"title": "Heat", "cast": ["A", {"n": 1, "m": 2, "n": 3}]}', '"n"'),
        (b'[1, [2, [{"deep": 1, "deep": 1}]]]', '"deep"'),
        (b'{"a": null, "b": null, "a": null}', '"a"'),
    ],
)
def test_a_repeated_member_name_is_refused_and_named(text: bytes, name: str) -> None:
    with pytest.raises(InvalidJson) as caught:
        loads(text)
    assert caught.value.reason == f"member {name} appears more than once in one object"


def test_a_long_repeated_name_is_shown_cut() -> None:
    name = "x" * 10_000
    with pytest.raises(InvalidJson) as caught:
        loads(f'{{"{name}": 1, "{name}": 2}}')
    assert len(caught.value.reason) < 200
    assert caught.value.reason.startswith('member "xxxx')
    assert "…" in caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        b'{"rating": NaN}',
        b'{"rating": Infinity}',
        b'{"rating": 1e400}',
        b'{"title": "\\ud800"}',  # a lone surrogate
        b'{"title": "\xff"}',  # not UTF-8
        b'\xef\xbb\xbf{"title": "Heat"}',  # a byte order mark
        b'{"title": "a\x00b"}',  # a raw control character in a string
        b'{"title": "Heat",}',
        b"[" * 1025 + b"]" * 1025,
        b"",
    ],
)
def test_orjson_s_strictness_is_kept(text: bytes) -> None:
    with pytest.raises(InvalidJson) as caught:
        loads(text)
    assert caught.value.line == 1
    assert caught.value.column is not None
    assert "line 1, column" in str(caught.value)


def test_nesting_deeper_than_the_stack_allows_is_invalid_not_a_crash() -> None:
    text = "[" * 600 + "{}" + "]" * 600  # orjson takes up to 1024 levels
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)  # a thread with less stack left than that
    try:
        with pytest.raises(InvalidJson, match="nested too deeply"):
            loads(text)
    finally:
        sys.setrecursionlimit(limit)
