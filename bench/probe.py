"""Measurements that run the service's own code in a process of their own, under a profile's
settings (``FILMFLARE_*`` from the environment, as ``filmflare`` reads them).

    python -m bench.probe import FILE             a timed ``filmflare import`` of an NDJSON file
    python -m bench.probe ids COUNT               the first COUNT movie ids in the store
    python -m bench.probe engine-query FILE START SECONDS
                                                  the embedded engine's own query time
    python -m bench.probe engine-bulk FILE        the engine's raw bulk rate, into a scratch index
    python -m bench.probe store-put FILE          the store's raw put rate, into a scratch table
    python -m bench.probe engine-load FILE        bulk the rows straight into the live index
    python -m bench.probe query-cost FILE ROUNDS WARM_UP [PID]
                                                  the query-cost scenario on this profile's
                                                  engine (PID: the engine's process)

Each prints one JSON object on its last line; the measurements themselves are in
``embedded_refs`` and ``production_refs``, and for the query cost in ``query_cost_tantivy``
and ``query_cost_http``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from filmflare.bootstrap import build_from_environment
from filmflare.config import Settings
from filmflare.entrypoints.cli.readers import open_rows
from filmflare.entrypoints.cli.source import fingerprint


async def timed_import(path: str) -> dict[str, Any]:
    """What ``filmflare import FILE`` does, timed from reading the file's digest to the
    index caught up."""
    container = build_from_environment()
    async with container:
        await container.init()
        began = time.perf_counter()
        source = fingerprint(Path(path)).digest
        with open_rows(path, "ndjson") as rows:
            report = await container.import_movies.execute(rows, source=source)
        seconds = time.perf_counter() - began
    return {
        "taken": report.taken,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
        "seconds": seconds,
    }


async def first_ids(count: int) -> dict[str, Any]:
    container = build_from_environment()
    ids: list[str] = []
    async with container:
        async for batch in container.repository.scan(batch_size=1000):
            ids.extend(movie.id for movie in batch)
            if len(ids) >= count:
                break
    return {"ids": ids[:count]}


def main(argv: Sequence[str]) -> dict[str, Any]:
    command, *args = argv
    settings = Settings()
    if command == "import":
        return asyncio.run(timed_import(args[0]))
    if command == "ids" and settings.store == "sqlite":
        return asyncio.run(first_ids(int(args[0])))
    # Only the references of the profile in use are imported: each SDK takes seconds.
    embedded = settings.search == "embedded" and settings.store == "sqlite"
    if command == "query-cost":
        cost: Any = import_module(f"bench.query_cost_{'tantivy' if embedded else 'http'}")
        return dict(cost.measure(settings, *args))
    refs: Any = import_module("bench.embedded_refs" if embedded else "bench.production_refs")
    measures = {
        "engine-query": "query_time",
        "engine-bulk": "bulk_rate",
        "store-put": "put_rate",
        "engine-load": "load",
        "ids": "store_ids",
    }
    measure = getattr(refs, measures.get(command, ""), None)
    if measure is None:
        raise SystemExit(f"bench.probe: no {command!r} for these settings")
    answer = measure(settings, *args)
    return asyncio.run(answer) if asyncio.iscoroutine(answer) else dict(answer)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
