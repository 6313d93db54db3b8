"""The little an engine client must do, so one index class serves OpenSearch and Elasticsearch.

Bodies and answers are plain JSON-like dicts: the two engines share the query language, and
only the wrappers (``opensearch``, ``elasticsearch``) know a vendor SDK. A wrapper raises
``BackendUnavailable`` when the engine does not answer, and ``EngineError`` when it answers
with an error status, carrying that status and the engine's error type.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

Json = dict[str, Any]


class EngineError(Exception):
    """The engine answered a request with an error (``status`` as in HTTP)."""

    def __init__(self, status: int, kind: str, reason: str) -> None:
        super().__init__(f"{status} {kind}: {reason}")
        self.status = status
        self.kind = kind
        self.reason = reason


class EngineClient(Protocol):
    """One connection pool to one cluster; ``start`` creates it, ``close`` releases it."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def search(self, index: str, body: Json) -> Json: ...

    async def bulk(self, operations: Sequence[Json], wait: bool) -> Json:
        """Send action and document lines; answers with a status per item, and with
        ``wait`` only once the changes are searchable (``refresh=wait_for``)."""
        ...

    async def create_index(self, name: str, body: Json) -> None: ...

    async def delete_index(self, name: str) -> None: ...

    async def add_fields(self, index: str, properties: Json) -> None:
        """Add ``properties`` to the mapping of ``index`` (those already there unchanged)."""
        ...

    async def alias_targets(self, alias: str) -> list[str]:
        """The indexes behind ``alias``; none when it does not exist."""
        ...

    async def index_names(self, pattern: str) -> list[str]:
        """The indexes whose names match the wildcard ``pattern``."""
        ...

    async def update_aliases(self, actions: Sequence[Json]) -> None:
        """Apply alias ``add``/``remove`` actions atomically."""
        ...

    async def block_writes(self, index: str) -> None:
        """Make ``index`` read-only, once the writes already running on it are done."""
        ...

    async def refresh(self, index: str) -> None: ...

    async def max_seq_no(self, index: str) -> int:
        """The highest sequence number the (single) shard of ``index`` has given out."""
        ...


def quiet(*loggers: str) -> None:
    """Keep a client's log of every request out of the service's log, unless configured."""
    for name in loggers:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def engine_error(status: int, body: object, fallback: str) -> EngineError:
    """An ``EngineError`` from an error answer's status and body (``{"error": {...}}``)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        cause = (error.get("root_cause") or [error])[0]
        return EngineError(status, str(cause.get("type", fallback)), str(cause.get("reason", "")))
    return EngineError(status, fallback, str(error or body or ""))


def first_shard_seq_no(stats: Json, index: str) -> int:
    """The highest ``max_seq_no`` among the copies of shard 0, from index stats by shard."""
    copies = stats["indices"][index]["shards"]["0"]
    return max(int(copy["seq_no"]["max_seq_no"]) for copy in copies)
