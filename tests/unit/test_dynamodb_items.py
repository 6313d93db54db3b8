"""The DynamoDB adapter's pure parts: the item codec's numbers and the transaction plan."""

from __future__ import annotations

from dataclasses import replace

from filmflare.adapters.dynamodb import codec, operations
from filmflare.adapters.dynamodb.outbox import MAX_BYTES, MAX_ITEMS, Write, plan
from filmflare.adapters.dynamodb.tables import Tables
from tests.contract.repository_contract import full_movie, make_movie

TABLES = Tables("movies")


def creation(title: str, **fields: object) -> Write:
    movie = make_movie(title, **fields)
    return Write(operations.creation(TABLES, movie), movie.id, movie.version, movie)


def test_numbers_travel_as_exact_decimal_text() -> None:
    assert codec.number(0.1) == {"N": "0.1"}
    assert codec.number(1 / 3) == {"N": "0.3333333333333333"}
    assert codec.number(10.0) == {"N": "10.0"}
    assert codec.number(2**53 - 1) == {"N": "9007199254740991"}


def test_numbers_come_back_as_the_declared_type_whatever_their_text() -> None:
    item = codec.movie_item(replace(full_movie(), rating=10.0, votes=7))
    item["rating"] = {"N": "10"}  # DynamoDB normalises 10.0 to 10
    item["votes"] = {"N": "7E+0"}
    movie = codec.movie_from_item(item)
    assert isinstance(movie.rating, float)
    assert movie.rating == 10.0
    assert isinstance(movie.votes, int)
    assert movie.votes == 7


def test_absent_and_null_attributes_are_none_or_empty() -> None:
    movie = make_movie("Bare")
    item = codec.movie_item(movie)
    assert "overview" not in item
    assert item["genres"] == {"L": []}
    item["overview"] = {"NULL": True}
    assert codec.movie_from_item(item) == movie


def test_plan_keeps_each_transaction_within_100_items() -> None:
    writes = [creation(f"M{n}") for n in range(100)]
    batches = plan(writes)
    assert [len(b) for b in batches] == [33, 33, 33, 1]  # 3 items each, plus the sequence
    assert [w for b in batches for w in b] == writes
    assert all(1 + sum(len(w.operations) + 1 for w in b) <= MAX_ITEMS for b in batches)


def test_plan_keeps_each_transaction_within_the_size_limit() -> None:
    cast = tuple("🎬" * 200 for _ in range(100))  # the most bytes the rules allow: 80 kB
    writes = [creation(f"Epic {n}", cast=cast, overview="🎬" * 5000) for n in range(40)]
    batches = plan(writes)
    assert len(batches[0]) < 33  # the size, not the item count, ends a transaction
    assert all(sum(w.size for w in b) <= MAX_BYTES for b in batches)
    assert [w for b in batches for w in b] == writes


def test_plan_of_nothing_is_nothing() -> None:
    assert plan([]) == []
