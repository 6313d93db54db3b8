"""The two tables, their keys, and ``ensure`` (``filmflare init``).

``<table>`` holds one item per stored movie, keyed by ``id`` (the partition key), and
nothing else, so a Scan of it is a scan of the catalog.

``<table>-feed`` (partition key ``pk``, sort key ``sk``, both strings) holds the rest:

- the change feed: partition ``changes``, sort key the position as 20 zero-padded digits,
  so the sort order is the numeric order and one Query reads changes in commit order;
- the sequence item (``sequence``/``-``): the last position handed out, and how many
  movies are stored (``count``), both moved by the transactions that write;
- checkpoints: partition ``checkpoints``, sort key the consumer's name;
- import marks: partition ``imports``, sort key an imported file's digest, ``line`` how far
  its import has committed;
- one ``id#<movie id>``/``-`` item per id ever created, never deleted, so an id is never
  reused: the transaction that adds a movie requires that its id item does not exist yet;
- one ``xid#<external id>``/``-`` guard item per ``external_id`` held, naming its movie
  (``movie_id``): the transaction that gives a movie the value requires that its guard does
  not exist yet, and the one that lets the value go deletes it.

Both tables bill on demand. ``ensure`` creates what is missing, waits until both are
ACTIVE and refuses a table whose key schema is not this one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from filmflare.adapters.dynamodb.errors import BACKEND, error_code, translated
from filmflare.domain.errors import BackendUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_dynamodb.literals import KeyTypeType

    from filmflare.adapters.dynamodb.codec import Item

    Keys = list[tuple[str, KeyTypeType]]

PK, SK = "pk", "sk"
CHANGES = "changes"
CHECKPOINTS = "checkpoints"
IMPORTS = "imports"
SEQUENCE: Item = {PK: {"S": "sequence"}, SK: {"S": "-"}}
USED_ID = "id#"  # the partition key prefix of the items recording ids ever used
GUARD = "xid#"  # the partition key prefix of external ids' guard items
COUNT = "count"  # the sequence item's attribute holding the number of stored movies
ACTIVE_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class Tables:
    """The table names of one deployment, derived from ``FILMFLARE_DYNAMODB_TABLE``."""

    movies: str

    @property
    def feed(self) -> str:
        return f"{self.movies}-feed"


def id_key(movie_id: str) -> Item:
    """The key of the item that records that ``movie_id`` was once created."""
    return {PK: {"S": USED_ID + movie_id}, SK: {"S": "-"}}


def external_key(external_id: str) -> Item:
    """The key of the guard item of ``external_id``, held by one movie at a time."""
    return {PK: {"S": GUARD + external_id}, SK: {"S": "-"}}


def import_key(source: str) -> Item:
    """The key of the item marking how far the import of ``source`` has committed."""
    return {PK: {"S": IMPORTS}, SK: {"S": source}}


def position_key(position: int) -> str:
    return f"{position:020d}"


def _schemas(tables: Tables) -> dict[str, Keys]:
    """(attribute, HASH or RANGE) per table; every key attribute is a string."""
    return {tables.movies: [("id", "HASH")], tables.feed: [(PK, "HASH"), (SK, "RANGE")]}


async def ensure(client: DynamoDBClient, tables: Tables) -> None:
    """Create missing tables (on-demand billing) and wait until every one is ACTIVE."""
    schemas = _schemas(tables)
    for name, keys in schemas.items():
        await _create(client, name, keys)
    deadline = time.monotonic() + ACTIVE_TIMEOUT
    for name, keys in schemas.items():
        await _wait_active(client, name, keys, deadline)


async def _create(client: DynamoDBClient, name: str, keys: Keys) -> None:
    try:
        with translated(f"creating table {name}", passing={"ResourceInUseException"}):
            await client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": a, "KeyType": kind} for a, kind in keys],
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a, _ in keys],
                BillingMode="PAY_PER_REQUEST",
            )
    except ClientError as error:
        # The table exists: made earlier, or by another `init` racing this one.
        if error_code(error) != "ResourceInUseException":
            raise


async def _wait_active(client: DynamoDBClient, name: str, keys: Keys, deadline: float) -> None:
    delay = 0.1
    while True:
        with translated(f"describing table {name}"):
            table = (await client.describe_table(TableName=name))["Table"]
        found = [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])]
        if found != keys:
            raise BackendUnavailable(
                BACKEND, f"table {name} exists with the key schema {found}, not {keys}"
            )
        if table.get("TableStatus") == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise BackendUnavailable(BACKEND, f"table {name} did not become ACTIVE in time")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)
