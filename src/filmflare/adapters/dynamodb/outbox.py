"""Commits movie writes atomically with their change records: the feed's transactional outbox.

Why an outbox rather than DynamoDB Streams: a stream record exists only after the write,
for 24 hours, in shards that every consumer has to walk with iterators and that a second
replica or a restart must coordinate (and moto emulates Streams only in part). An outbox
item written by the same TransactWriteItems as the movie is atomic with it by construction,
stays until every consumer has passed it, and is read back with one ordered Query: the same
contract as the SQLite feed, with the same tests.

Positions. A reader must never skip a change that commits late with a lower position, so
the transaction itself allocates them: besides the movie items it moves the sequence item
from n to n + k, on condition that it still holds n, and writes its k change records at
n + 1 … n + k. Position n + 1 can only commit after the transaction that wrote n, so the
feed has no gaps and grows in commit order, and a reader needs no safety lag. The price is
that every write of the deployment serializes on that one item: the feed takes about one
commit per round trip (tens of milliseconds) whatever the number of writers. A movie
catalogue is written rarely; a bulk import commits up to 33 movies per transaction; and
writers in one process queue on a lock instead of cancelling each other's transactions. The
alternative, a time-ordered key read behind a safety lag with idempotent index writes, has
no such ceiling but is only right while clock skew and commit latency stay under the lag.

A transaction that loses the sequence to another process reads the current value from its
cancellation reason (ReturnValuesOnConditionCheckFailure) and tries again at once, with a
little jitter; a transaction conflict (another transaction on the same item in flight) the
same way, and a throttled one after a longer backoff. The SDK's own retries of a request
(timeouts, 5xx) resend its ClientRequestToken, so a retry after a lost answer cannot apply
a transaction twice.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from filmflare.adapters.dynamodb.codec import item_size, number, read_int
from filmflare.adapters.dynamodb.connection import Connection
from filmflare.adapters.dynamodb.errors import BACKEND, CANCELLED, error_code, translated
from filmflare.adapters.dynamodb.feed import change_item
from filmflare.adapters.dynamodb.tables import COUNT, SEQUENCE, Tables
from filmflare.domain.errors import BackendUnavailable
from filmflare.domain.movie import Movie

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

MAX_ITEMS = 100  # TransactWriteItems' limit, the sequence item included
MAX_BYTES = 3_500_000  # the limit is 4 MB; leave room for what the size estimate misses
MAX_ATTEMPTS = 60
_CONDITION = "ConditionalCheckFailed"
_THROTTLED = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


@dataclass(frozen=True, slots=True)
class Write:
    """One movie write: its conditional operations, and the change it records."""

    operations: tuple[TransactWriteItemTypeDef, ...]
    movie_id: str
    version: int
    movie: Movie | None
    stored: int = 0  # how it changes the number of stored movies: +1, -1 or 0

    @property
    def size(self) -> int:
        record = change_item(0, self.movie_id, self.version, self.movie)
        items = [op["Put"]["Item"] for op in self.operations if "Put" in op]
        return item_size(record) + sum(item_size(item) for item in items)


class ConditionFailed(Exception):
    """Operation ``operation`` of write ``write`` found its condition false.

    ``item`` is the item as it was stored (None when there was none).
    """

    def __init__(self, write: int, operation: int, item: Mapping[str, Any] | None) -> None:
        super().__init__(f"write {write}, operation {operation}: condition failed")
        self.write = write
        self.operation = operation
        self.item = item


def plan(writes: Sequence[Write], reserved: int = 0) -> list[list[Write]]:
    """Split ``writes`` into transactions within DynamoDB's item and size limits, leaving
    room in each for ``reserved`` more items (``Outbox.commit``'s ``extra``)."""
    batches: list[list[Write]] = []
    batch: list[Write] = []
    first = 1 + reserved  # the sequence item is in every transaction
    items, size = first, 0
    for write in writes:
        count, bytes_ = len(write.operations) + 1, write.size
        if batch and (items + count > MAX_ITEMS or size + bytes_ > MAX_BYTES):
            batches.append(batch)
            batch, items, size = [], first, 0
        batch.append(write)
        items, size = items + count, size + bytes_
    if batch:
        batches.append(batch)
    return batches


class Outbox:
    """Commits batches of writes, each batch one transaction with its change records."""

    def __init__(self, connection: Connection, tables: Tables) -> None:
        self._connection = connection
        self._table = tables.feed
        self._last: int | None = None  # the sequence as this process last saw it
        self._lock = asyncio.Lock()
        self._unreachable_at = 0.0  # when a commit last found the store unreachable

    def reset(self) -> None:
        """Forget the cached sequence, and bind a new lock to the running event loop."""
        self._last = None
        self._lock = asyncio.Lock()

    async def commit(
        self, batch: Sequence[Write], extra: Sequence[TransactWriteItemTypeDef] = ()
    ) -> None:
        """All of ``batch`` or nothing; ``ConditionFailed`` names the first refused operation.
        ``extra`` items (unconditional) commit in the same transaction.

        A write that waited for the lock while the one ahead found the store unreachable
        fails at once: else each queued write would spend the SDK's whole timeout budget in
        turn, and the n-th would answer after n of them (36 s for the 3rd in a measured pause).
        """
        arrived = time.monotonic()
        async with self._lock:
            if self._unreachable_at > arrived:
                raise BackendUnavailable(BACKEND, "the store did not answer the write queued ahead")
            try:
                for attempt in range(MAX_ATTEMPTS):
                    last = await self._sequence()
                    try:
                        with translated("writing"):
                            await self._connection.client.transact_write_items(
                                TransactItems=[*self._transaction(batch, last), *extra]
                            )
                    except ClientError as error:
                        if error_code(error) != CANCELLED:
                            raise
                        throttled = self._settle(batch, error)
                        # A lost race is retried at once; throttling needs the table to recover.
                        base, cap = (0.05, 2.0) if throttled else (0.001, 0.05)
                        await asyncio.sleep(random.uniform(0, min(cap, base * 2**attempt)))
                        continue
                    self._last = last + len(batch)
                    return
            except BackendUnavailable:
                self._unreachable_at = time.monotonic()
                raise
        raise BackendUnavailable(BACKEND, "the change feed stayed too busy for this write")

    def _transaction(self, batch: Sequence[Write], last: int) -> list[TransactWriteItemTypeDef]:
        items = [self._claim(last, last + len(batch), sum(w.stored for w in batch))]
        for offset, write in enumerate(batch, start=1):
            items.extend(write.operations)
            record = change_item(last + offset, write.movie_id, write.version, write.movie)
            items.append({"Put": {"TableName": self._table, "Item": record}})
        return items

    def _claim(self, last: int, upto: int, stored: int) -> TransactWriteItemTypeDef:
        """Move the sequence from ``last`` to ``upto``, only if nobody moved it meanwhile.

        The same item counts the stored movies (``count``): the writes that change that
        number all pass through here, in the transaction that changes it.
        """
        values = {":upto": number(upto)} | ({} if last == 0 else {":last": number(last)})
        names = {"#last": "last"}
        update = "SET #last = :upto"
        if stored:
            names["#count"] = COUNT
            values[":stored"] = number(stored)
            update += " ADD #count :stored"
        return {
            "Update": {
                "TableName": self._table,
                "Key": SEQUENCE,
                "UpdateExpression": update,
                "ConditionExpression": "attribute_not_exists(#last)"
                if last == 0
                else "#last = :last",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _settle(self, batch: Sequence[Write], error: ClientError) -> bool:
        """Raise ``ConditionFailed`` for a refused write, or learn the sequence and return.

        Returns whether DynamoDB throttled part of the transaction.
        """
        reasons = cast(list[dict[str, Any]], error.response.get("CancellationReasons", []))
        own = iter(reasons[1:])
        for w, write in enumerate(batch):
            for op in range(len(write.operations)):
                reason = next(own, {})
                if reason.get("Code") == _CONDITION:
                    raise ConditionFailed(w, op, reason.get("Item"))
            next(own, None)  # the change record's reason: it has no condition
        sequence = reasons[0] if reasons else {}
        if sequence.get("Code") == _CONDITION:
            stored = sequence.get("Item")
            self._last = read_int(stored, "last") if stored else 0
        elif not reasons:
            self._last = None
        return any(r.get("Code") in _THROTTLED for r in reasons)

    async def _sequence(self) -> int:
        if self._last is None:
            with translated("reading the feed sequence"):
                answer = await self._connection.client.get_item(
                    TableName=self._table, Key=SEQUENCE, ConsistentRead=True
                )
            item = answer.get("Item")
            self._last = read_int(item, "last") if item else 0
        return self._last
