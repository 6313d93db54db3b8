"""Single flight in ``ResponseCache`` and through ``GetMovie``, on the embedded adapters.

The repository below is the real SQLite one, counting reads and able to hold one read
open, so that concurrency is arranged by events, not by timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import orjson
import pytest

from filmflare.adapters.memory import MemoryCache, NoCache
from filmflare.adapters.sqlite import SqliteMovieRepository
from filmflare.application.response_cache import UNANSWERED, Lookup, ResponseCache
from filmflare.bootstrap import Container, build
from filmflare.config import Settings
from filmflare.domain.movie import Movie

pytestmark = pytest.mark.anyio
CALLERS = 10
DEADLOCK_GUARD = 10.0


class HeldRepository(SqliteMovieRepository):
    """Counts ``get``; once ``hold()`` is called, the next ``get`` waits for ``release()``."""

    reads = 0
    _gate: asyncio.Event | None = None
    _waiting: asyncio.Event

    def hold(self) -> None:
        self._gate = asyncio.Event()
        self._waiting = asyncio.Event()

    async def held_read(self) -> None:
        """Returns once the held read has read the store and is waiting."""
        await self._waiting.wait()

    def release(self) -> None:
        assert self._gate is not None
        self._gate.set()
        self._gate = None

    async def get(self, movie_id: str) -> Movie | None:
        self.reads += 1
        movie = await super().get(movie_id)
        gate = self._gate
        if gate is not None and not self._waiting.is_set():
            self._waiting.set()
            await gate.wait()
        return movie


def through(
    cache: ResponseCache,
    flight: tuple[str, bytes | None] | None,
    compute: Callable[[], Awaitable[bytes]],
) -> Coroutine[Any, Any, bytes]:
    """``compute`` through the cache as a miss of ``flight`` = (key, generation read); None:
    a cache that did not answer."""
    if flight is None:
        return cache.answer("k", "gen", 60.0, compute, UNANSWERED)
    key, generation = flight
    return cache.answer(key, "gen", 60.0, compute, Lookup(None, generation, answered=True))


async def settle() -> None:
    """Let every ready task run until it waits on something."""
    for _ in range(10):
        await asyncio.sleep(0)


@pytest.fixture
def repository(tmp_path: Path) -> HeldRepository:
    return HeldRepository(tmp_path / "filmflare.sqlite3")


async def container_with(cache: str, tmp_path: Path, repository: HeldRepository) -> Container:
    return build(Settings(data_dir=tmp_path, cache=cache), repository=repository)


@pytest.fixture
async def container(tmp_path: Path, repository: HeldRepository) -> AsyncIterator[Container]:
    async with await container_with("memory", tmp_path, repository) as built:
        yield built


async def test_concurrent_misses_read_the_store_once(
    container: Container, repository: HeldRepository
) -> None:
    movie = await container.add_movie.execute({"title": "Heat"})
    repository.reads = 0
    repository.hold()
    readers = [asyncio.create_task(container.get_movie.execute(movie.id)) for _ in range(CALLERS)]
    await repository.held_read()
    await settle()
    repository.release()
    answers = await asyncio.gather(*readers)
    assert repository.reads == 1
    assert {answer.body for answer in answers} == {answers[0].body}


async def test_a_read_after_a_write_never_joins_a_flight_from_before(
    container: Container, repository: HeldRepository
) -> None:
    movie = await container.add_movie.execute({"title": "Heat", "votes": 1})
    repository.hold()
    early = asyncio.create_task(container.get_movie.execute(movie.id))
    await repository.held_read()  # it has read version 1 and waits
    await container.patch_movie.execute(movie.id, {"votes": 2}, None)
    # Joining the held flight would wait forever: the guard turns that into a failure.
    late = await asyncio.wait_for(container.get_movie.execute(movie.id), DEADLOCK_GUARD)
    assert orjson.loads(late.body)["votes"] == 2
    repository.release()
    assert (await early).version == 1  # it began before the write: allowed
    assert (await container.get_movie.execute(movie.id)).version == 2  # its fill was refused


async def test_without_a_cache_every_miss_reads_the_store(
    tmp_path: Path, repository: HeldRepository
) -> None:
    """``NoCache`` keeps no generation to tell a flight from before a write: no coalescing."""
    async with await container_with("none", tmp_path, repository) as container:
        movie = await container.add_movie.execute({"title": "Heat"})
        repository.reads = 0
        answers = await asyncio.gather(
            *(container.get_movie.execute(movie.id) for _ in range(CALLERS))
        )
        assert repository.reads == CALLERS
        assert len(answers) == CALLERS


async def test_a_failure_reaches_every_caller_and_the_next_call_tries_again() -> None:
    cache = ResponseCache(MemoryCache(max_bytes=1 << 20), coalesce=True)
    calls = 0
    gate = asyncio.Event()

    async def failing() -> bytes:
        nonlocal calls
        calls += 1
        await gate.wait()
        raise RuntimeError("backend broke")

    callers = [asyncio.create_task(through(cache, ("k", None), failing)) for _ in range(3)]
    await settle()
    gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert calls == 1
    assert all(isinstance(result, RuntimeError) for result in results)
    with pytest.raises(RuntimeError):
        await through(cache, ("k", None), failing)
    assert calls == 2


async def test_a_caller_that_goes_away_does_not_cancel_the_others() -> None:
    cache = ResponseCache(MemoryCache(max_bytes=1 << 20), coalesce=True)
    gate = asyncio.Event()

    async def slow() -> bytes:
        await gate.wait()
        return b"answer"

    leader = asyncio.create_task(through(cache, ("k", b"1"), slow))
    follower = asyncio.create_task(through(cache, ("k", b"1"), slow))
    await settle()
    leader.cancel()
    await settle()
    gate.set()
    assert await follower == b"answer"
    assert leader.cancelled()


async def test_flights_are_named_by_key_and_generation() -> None:
    cache = ResponseCache(MemoryCache(max_bytes=1 << 20), coalesce=True)
    gate = asyncio.Event()
    calls: list[str] = []

    def compute(name: str) -> Callable[[], Awaitable[bytes]]:
        async def run() -> bytes:
            calls.append(name)
            await gate.wait()
            return name.encode()

        return run

    flights: list[tuple[str, bytes] | None] = [("a", b"1"), ("a", b"2"), ("b", b"1")]
    flights += [("a", b"1"), None, None]
    tasks = [
        asyncio.create_task(through(cache, flight, compute(str(flight)))) for flight in flights
    ]
    await settle()
    gate.set()
    await asyncio.gather(*tasks)
    assert sorted(calls) == sorted(["('a', b'1')", "('a', b'2')", "('b', b'1')", "None", "None"])


async def test_coalescing_is_off_unless_asked() -> None:
    cache = ResponseCache(NoCache())
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return b"x"

    await asyncio.gather(*(through(cache, ("k", None), compute) for _ in range(3)))
    assert calls == 3
