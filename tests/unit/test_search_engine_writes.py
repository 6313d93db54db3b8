"""The bulk writer of the OpenSearch/Elasticsearch adapters, against a scripted engine: what
it sends again (429s, frozen indexes), what it ignores (409s) and what it gives up on.

A real engine never answers 429 on demand, so the answers here are scripted; the writer's
happy paths run against real engines in the contract suites.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

import pytest

from filmflare.adapters.search_engine.client import EngineClient, EngineError, Json
from filmflare.adapters.search_engine.writes import BulkWriter, movie_write, tombstone_write
from filmflare.domain.errors import BackendUnavailable
from tests.contract.search_contract import movie

pytestmark = pytest.mark.anyio


class ScriptedEngine:
    """Answers each bulk call with the next scripted status per item (or raises an error)."""

    def __init__(self, script: list[list[int] | EngineError]) -> None:
        self.script = script
        self.sent: list[list[str]] = []
        self.running = self.most_running = 0

    async def bulk(self, operations: Sequence[Json], wait: bool) -> Json:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(0)
        self.running -= 1
        ids = [line["index"]["_id"] for line in operations[::2]]
        self.sent.append(ids)
        step = self.script.pop(0) if self.script else [201] * len(ids)
        if isinstance(step, EngineError):
            raise step
        items = [{"index": {"_id": i, "status": s}} for i, s in zip(ids, step, strict=True)]
        for item in items:
            if item["index"]["status"] >= 300:
                item["index"]["error"] = {"type": "some_exception", "reason": "scripted"}
        return {"errors": any(s >= 300 for s in step), "items": items}


def writer(engine: ScriptedEngine, **options: int) -> BulkWriter:
    return BulkWriter(cast(EngineClient, engine), pauses=(0.0, 0.0), **options)


WRITES = [movie_write(movie("a", "A")), movie_write(movie("b", "B")), tombstone_write("c", 2)]


async def test_busy_items_are_sent_again_and_conflicts_are_expected() -> None:
    engine = ScriptedEngine([[201, 429, 409], [403]])
    await writer(engine).write("movies", WRITES, alias=True)
    assert engine.sent == [["a", "b", "c"], ["b"], ["b"]]


async def test_a_busy_engine_is_asked_again() -> None:
    engine = ScriptedEngine([EngineError(429, "es_rejected_execution_exception", "queue full")])
    await writer(engine).write("movies", WRITES, alias=True)
    assert engine.sent == [["a", "b", "c"], ["a", "b", "c"]]


async def test_an_engine_that_stays_busy_is_unavailable() -> None:
    engine = ScriptedEngine([[429, 201, 201], [429], [429], [429]])
    with pytest.raises(BackendUnavailable, match="kept refusing 1 writes"):
        await writer(engine).write("movies", WRITES, alias=True)
    assert len(engine.sent) == 3  # the first try and one after each pause


async def test_a_refused_document_names_the_movie() -> None:
    engine = ScriptedEngine([[201, 400, 201]])
    with pytest.raises(BackendUnavailable, match="'b'"):
        await writer(engine).write("movies", WRITES, alias=True)


async def test_large_batches_go_in_chunks_a_few_at_a_time() -> None:
    engine = ScriptedEngine([])
    many = [movie_write(movie(f"m{n:04d}", "M")) for n in range(1200)]
    await writer(engine, chunk=100, concurrency=3).write("movies", many, alias=True)
    assert sorted(i for ids in engine.sent for i in ids) == [w.movie_id for w in many]
    assert len(engine.sent) == 12
    assert 1 < engine.most_running <= 3
