"""The change feed's reading side: ordered Queries of the ``changes`` partition.

Positions are the sequence numbers the outbox hands out, written as plain decimal text
(``"42"``); in the table they are zero-padded sort keys so that string order is number order.
Because a position is only ever taken by a transaction that commits after the one holding
the position before it (see ``outbox``), a strongly consistent Query never sees a gap that a
late commit could fill: reading after a position can skip nothing.

A checkpoint only moves forward (a conditional update), so several replicas of a consumer
may advance it at once. Changes every known consumer has passed are deleted by ``advance``,
at most ``PRUNE_BATCH`` per call (what is left goes on the next call).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from filmflare.adapters.dynamodb import batches
from filmflare.adapters.dynamodb.codec import movie_from_item, movie_item, number, read_int, text
from filmflare.adapters.dynamodb.connection import Connection
from filmflare.adapters.dynamodb.errors import CONDITION_FAILED, error_code, translated
from filmflare.adapters.dynamodb.tables import CHANGES, CHECKPOINTS, PK, SK, Tables, position_key
from filmflare.domain.errors import BackendUnavailable
from filmflare.domain.movie import Movie
from filmflare.ports.repository import Change

if TYPE_CHECKING:
    from filmflare.adapters.dynamodb.codec import Item

log = logging.getLogger(__name__)

PRUNE_BATCH = 1000
_NAMES = {"#pk": PK, "#sk": SK}


def change_item(position: int, movie_id: str, version: int, movie: Movie | None) -> Item:
    item: Item = {
        PK: text(CHANGES),
        SK: text(position_key(position)),
        "movie_id": text(movie_id),
        "version": number(version),
    }
    if movie is not None:
        item["movie"] = {"M": movie_item(movie)}
    return item


def change_from_item(item: Mapping[str, Any]) -> Change:
    movie = item.get("movie")
    return Change(
        position=str(int(item[SK]["S"])),
        movie_id=item["movie_id"]["S"],
        version=read_int(item, "version"),
        movie=None if movie is None else movie_from_item(movie["M"]),
    )


def parse_position(position: str) -> int:
    """A position this feed handed out; anything else is a ``ValueError``."""
    value = int(position)
    if value < 0 or str(value) != position:
        raise ValueError(f"not a change feed position: {position!r}")
    return value


class DynamoChangeFeed:
    """``ChangeFeed`` over the ``changes`` and ``checkpoints`` partitions of the feed table."""

    def __init__(self, connection: Connection, tables: Tables) -> None:
        self._connection = connection
        self._table = tables.feed
        self._pruned = 0  # every change at or below this position is known to be gone

    async def read(self, after: str | None, limit: int) -> Sequence[Change]:
        if limit <= 0:
            return []
        start = 0 if after is None else parse_position(after)
        with translated("reading the change feed"):
            answer = await self._connection.client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk AND #sk > :after",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":pk": text(CHANGES),
                    ":after": text(position_key(start)),
                },
                Limit=limit,
                ConsistentRead=True,
            )
        return [change_from_item(item) for item in answer.get("Items", [])]

    async def checkpoint(self, consumer: str) -> str | None:
        with translated("reading a checkpoint"):
            answer = await self._connection.client.get_item(
                TableName=self._table,
                Key={PK: text(CHECKPOINTS), SK: text(consumer)},
                ConsistentRead=True,
            )
        item = answer.get("Item")
        return None if item is None else str(read_int(item, "position"))

    async def advance(self, consumer: str, position: str) -> None:
        value = parse_position(position)
        try:
            with translated("moving a checkpoint"):
                await self._connection.client.update_item(
                    TableName=self._table,
                    Key={PK: text(CHECKPOINTS), SK: text(consumer)},
                    UpdateExpression="SET #position = :position",
                    ConditionExpression="attribute_not_exists(#position) OR #position < :position",
                    ExpressionAttributeNames={"#position": "position"},
                    ExpressionAttributeValues={":position": number(value)},
                )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            # Already at or past it (maybe moved by another replica): never move back.
        try:
            await self._prune()
        except BackendUnavailable as error:  # housekeeping: a later advance prunes them
            log.warning("the change feed keeps changes every consumer has passed: %s", error)

    async def _prune(self) -> None:
        """Delete up to ``PRUNE_BATCH`` changes that every known consumer has passed."""
        client = self._connection.client
        with translated("reading checkpoints"):
            answer = await client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk",
                ExpressionAttributeNames={"#pk": PK},
                ExpressionAttributeValues={":pk": text(CHECKPOINTS)},
                ConsistentRead=True,
            )
        floor = min((read_int(item, "position") for item in answer.get("Items", [])), default=0)
        if floor <= self._pruned:
            return
        with translated("finding passed changes"):
            passed = await client.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk AND #sk <= :floor",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":pk": text(CHANGES),
                    ":floor": text(position_key(floor)),
                },
                ProjectionExpression="#pk, #sk",
                Limit=PRUNE_BATCH,
            )
        keys = passed.get("Items", [])
        if await batches.delete(client, self._table, keys) and len(keys) < PRUNE_BATCH:
            self._pruned = floor
