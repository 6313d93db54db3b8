"""The conditional operations of each write, as TransactWriteItems entries.

Every condition is checked by DynamoDB inside the transaction, so two writers can never
both pass one: ``add`` requires that the id was never created, ``replace`` (a full Put, never
an upsert) and ``delete`` that the stored version is the one the caller started from. A
failed condition returns the stored item (ALL_OLD), which tells a missing movie from a
changed one without another read.

``external_id`` is kept unique by a guard item per value (``tables.external_key``): put
with the movie that takes the value, on condition that no movie holds it, and deleted with
the write that lets it go. A refused guard returns the guard, which names its holder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from filmflare.adapters.dynamodb.codec import movie_item, number, text
from filmflare.adapters.dynamodb.tables import GUARD, PK, Tables, external_key, id_key

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

    from filmflare.domain.movie import Movie

_VERSION = {"#version": "version"}


def creation(tables: Tables, movie: Movie) -> tuple[TransactWriteItemTypeDef, ...]:
    """Record the id as taken for ever, claim the external id, then store the movie; each
    only if new."""
    claimed = movie_item(movie)
    return (
        {
            "Put": {
                "TableName": tables.feed,
                "Item": id_key(movie.id) | {"created_at": claimed["created_at"]},
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        },
        *_guards(tables, movie, None),
        {
            "Put": {
                "TableName": tables.movies,
                "Item": claimed,
                "ConditionExpression": "attribute_not_exists(#id)",
                "ExpressionAttributeNames": {"#id": "id"},
            }
        },
    )


def replacement(
    tables: Tables, movie: Movie, previous: Movie
) -> tuple[TransactWriteItemTypeDef, ...]:
    """Store ``movie`` over ``previous``, the version before it (a missing item or another
    version fails the condition), moving the external id's guard when it changed."""
    put: TransactWriteItemTypeDef = {
        "Put": {
            "TableName": tables.movies,
            "Item": movie_item(movie),
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": _VERSION,
            "ExpressionAttributeValues": {":expected": number(movie.version - 1)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    return (put, *_guards(tables, movie, previous))


def removal(tables: Tables, movie: Movie) -> tuple[TransactWriteItemTypeDef, ...]:
    """Delete ``movie`` while it is still at its version, and free its external id."""
    delete: TransactWriteItemTypeDef = {
        "Delete": {
            "TableName": tables.movies,
            "Key": {"id": text(movie.id)},
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": _VERSION,
            "ExpressionAttributeValues": {":version": number(movie.version)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    return (delete, *_guards(tables, None, movie))


def guarded(operation: TransactWriteItemTypeDef) -> bool:
    """Is ``operation`` the claim of an external id (whose failure means it is taken)?"""
    put = operation.get("Put")
    key: Any = put["Item"].get(PK) if put is not None else None
    return isinstance(key, dict) and str(key.get("S", "")).startswith(GUARD)


def _guards(
    tables: Tables, after: Movie | None, before: Movie | None
) -> tuple[TransactWriteItemTypeDef, ...]:
    """Free the external id ``before`` held and claim the one ``after`` holds, if they differ.

    Freeing needs no condition: the movie's own condition (its version) proves that it
    still holds the value.
    """
    held = before.external_id if before else None
    wanted = after.external_id if after else None
    if held == wanted:
        return ()
    operations: list[TransactWriteItemTypeDef] = []
    if held is not None:
        operations.append({"Delete": {"TableName": tables.feed, "Key": external_key(held)}})
    if after is not None and wanted is not None:
        operations.append(
            {
                "Put": {
                    "TableName": tables.feed,
                    "Item": external_key(wanted) | {"movie_id": text(after.id)},
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": PK},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        )
    return tuple(operations)
