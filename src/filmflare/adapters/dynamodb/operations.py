"""The conditional operations of each write, as TransactWriteItems entries.

Every condition is checked by DynamoDB inside the transaction, so two writers can never
both pass one: ``add`` requires that the id was never created, ``replace`` (a full Put, never
an upsert) and ``delete`` that the stored version is the one the caller started from. A
failed condition returns the stored item (ALL_OLD), which tells a missing movie from a
changed one without another read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from filmflare.adapters.dynamodb.codec import movie_item, number, text
from filmflare.adapters.dynamodb.tables import PK, Tables, id_key

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

    from filmflare.domain.movie import Movie

_VERSION = {"#version": "version"}


def creation(tables: Tables, movie: Movie) -> tuple[TransactWriteItemTypeDef, ...]:
    """Record the id as taken for ever, then store the movie; both only if new."""
    return (
        {
            "Put": {
                "TableName": tables.feed,
                "Item": id_key(movie.id) | {"created_at": movie_item(movie)["created_at"]},
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        },
        {
            "Put": {
                "TableName": tables.movies,
                "Item": movie_item(movie),
                "ConditionExpression": "attribute_not_exists(#id)",
                "ExpressionAttributeNames": {"#id": "id"},
            }
        },
    )


def replacement(tables: Tables, movie: Movie) -> TransactWriteItemTypeDef:
    """Store ``movie`` over the version before it; a missing item fails the condition."""
    return {
        "Put": {
            "TableName": tables.movies,
            "Item": movie_item(movie),
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": _VERSION,
            "ExpressionAttributeValues": {":expected": number(movie.version - 1)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def removal(tables: Tables, movie_id: str, version: int) -> TransactWriteItemTypeDef:
    """Delete the movie while it is still at ``version``."""
    return {
        "Delete": {
            "TableName": tables.movies,
            "Key": {"id": text(movie_id)},
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": _VERSION,
            "ExpressionAttributeValues": {":version": number(version)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
