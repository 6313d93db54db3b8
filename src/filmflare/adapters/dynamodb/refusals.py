"""What a refused operation of a committed write means in the domain's terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from filmflare.adapters.dynamodb import operations, tables
from filmflare.adapters.dynamodb.codec import read_int
from filmflare.adapters.dynamodb.outbox import ConditionFailed, Write
from filmflare.domain.errors import (
    DomainError,
    DuplicateId,
    ExternalIdTaken,
    MovieNotFound,
    VersionConflict,
)


def refusal(transaction: Sequence[Write], failed: ConditionFailed) -> DomainError:
    """The error of a creation or a replacement whose condition ``failed``: an external id
    held (its guard names the holder), an id used before, or a movie missing or changed."""
    write = transaction[failed.write]
    operation = write.operations[failed.operation]
    if operations.guarded(operation):
        key: Any = operation["Put"]["Item"][tables.PK]
        holder = failed.item["movie_id"]["S"] if failed.item else None
        return ExternalIdTaken(str(key["S"]).removeprefix(tables.GUARD), holder)
    if write.stored > 0:
        return DuplicateId(f"the id {write.movie_id} was already used")
    if failed.item is None:
        return MovieNotFound(write.movie_id)
    return VersionConflict(write.movie_id, write.version - 1, read_int(failed.item, "version"))
