"""BatchGetItem and BatchWriteItem in their size limits, retrying what DynamoDB leaves over.

A batch call may process only part of its request when a partition is busy; the rest comes
back as ``UnprocessedKeys`` / ``UnprocessedItems`` and is sent again with backoff.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from filmflare.adapters.dynamodb.errors import BACKEND, translated
from filmflare.domain.errors import BackendUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

    from filmflare.adapters.dynamodb.codec import Item

GET_LIMIT = 100  # keys per BatchGetItem
WRITE_LIMIT = 25  # requests per BatchWriteItem
ATTEMPTS = 8


async def existing(client: DynamoDBClient, table: str, keys: Sequence[Item]) -> list[Item]:
    """The stored items among ``keys``, whole, read strongly consistent."""
    found: list[Item] = []
    for start in range(0, len(keys), GET_LIMIT):
        pending: Sequence[Any] = keys[start : start + GET_LIMIT]
        for attempt in range(ATTEMPTS):
            request: Any = {table: {"Keys": pending, "ConsistentRead": True}}
            with translated("reading a batch"):
                answer = await client.batch_get_item(RequestItems=request)
            found.extend(answer.get("Responses", {}).get(table, []))
            left = answer.get("UnprocessedKeys", {}).get(table)
            pending = left["Keys"] if left else []
            if not pending:
                break
            await _pause(attempt)
        else:
            raise BackendUnavailable(BACKEND, "reading a batch: DynamoDB kept throttling it")
    return found


async def delete(client: DynamoDBClient, table: str, keys: Sequence[Item]) -> bool:
    """Delete ``keys``; False when DynamoDB kept refusing some of them."""
    for start in range(0, len(keys), WRITE_LIMIT):
        pending: Any = [{"DeleteRequest": {"Key": k}} for k in keys[start : start + WRITE_LIMIT]]
        for attempt in range(ATTEMPTS):
            with translated("deleting a batch"):
                answer = await client.batch_write_item(RequestItems={table: pending})
            pending = answer.get("UnprocessedItems", {}).get(table, [])
            if not pending:
                break
            await _pause(attempt)
        else:
            return False
    return True


async def _pause(attempt: int) -> None:
    await asyncio.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))
