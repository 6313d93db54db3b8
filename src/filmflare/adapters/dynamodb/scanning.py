"""Parallel Scan: every segment of a table read side by side, a page at a time.

Each round sends one Scan per unfinished segment at once and waits for all of them, so the
table is read ``segments`` times faster than by one cursor, and no task outlives a round
(an abandoned scan leaves nothing running). Reads are strongly consistent: a rebuild must
see every write that committed before it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from filmflare.adapters.dynamodb.errors import translated

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import ScanOutputTypeDef

SEGMENTS = 4


async def pages(
    client: DynamoDBClient, table: str, page_size: int, segments: int = SEGMENTS
) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
    """The items of ``table`` in pages of at most ``page_size``; empty pages are skipped."""
    async for answer in _rounds(client, table, segments, {"Limit": page_size}):
        items = answer.get("Items", [])
        if items:
            yield items


async def _rounds(
    client: DynamoDBClient, table: str, segments: int, options: dict[str, Any]
) -> AsyncIterator[ScanOutputTypeDef]:
    starts: dict[int, Any] = dict.fromkeys(range(segments))
    while starts:
        calls = [
            client.scan(
                TableName=table,
                Segment=segment,
                TotalSegments=segments,
                ConsistentRead=True,
                **options,
                **({} if start is None else {"ExclusiveStartKey": start}),
            )
            for segment, start in starts.items()
        ]
        # return_exceptions: every call of the round has ended before a failure is raised.
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        answers: list[ScanOutputTypeDef] = []
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                with translated(f"scanning {table}"):
                    raise outcome
            answers.append(outcome)
        for segment, answer in zip(list(starts), answers, strict=True):
            yield answer
            if "LastEvaluatedKey" in answer:
                starts[segment] = answer["LastEvaluatedKey"]
            else:
                del starts[segment]
