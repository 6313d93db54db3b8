"""The write workloads of the outage tests, and the checks of what each write left behind.

``EngineOutageRun``: writes while the search engine stops and starts again, each followed by
a read by id and a search. ``WritePlan``: writes sent through a DynamoDB pause; ``audit``
then reads back what each one left in the store. There, every write has a target of its own
(a new title, or a movie no other write touches), so what it did can be read back alone: a
2xx must be wholly there; a 503 must be wholly there or wholly absent (the store may have
taken it before the pause swallowed its answer, and moto takes requests queued in its socket
once resumed).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tests.http.conftest import MOVIE, bearer
from tests.infra_moto import MotoServer
from tests.system.api_process import ApiProcess
from tests.system.production import StoreState, is_unavailable

KINDS = ("POST", "PATCH", "DELETE")
PAUSED_WRITERS_SECONDS = 120.0  # bound of the paused phase, should every writer hang


@dataclass(frozen=True)
class Outcome:
    """One write: its kind, its target (a movie id, or the title a POST gave), the ``votes``
    it set, the status it got (0: no answer within the client's timeout), and when."""

    kind: str
    target: str
    marker: int
    status: int
    seconds: float
    during_pause: bool
    well_formed: bool  # a 2xx, or a 503 problem with Retry-After


@dataclass(frozen=True)
class Outage:
    """What the probes got while DynamoDB was paused, and how long it was."""

    readiness: httpx.Response | None  # None: no answer within the client's timeout
    uncached_read: httpx.Response | None
    cached_read: httpx.Response | None
    seconds: float
    writes: list[Outcome]

    @property
    def unavailable_writes(self) -> int:
        return sum(outcome.status == 503 for outcome in self.writes)

    def summary(self) -> str:
        slowest = max((o.seconds for o in self.writes), default=0.0)
        statuses = Counter(f"{o.kind} {o.status}" for o in self.writes)
        return (
            f"paused {self.seconds:.1f}s; writes then {dict(statuses)}, slowest answer "
            f"{slowest:.1f}s; uncached read {_seen(self.uncached_read)}, cached read "
            f"{_seen(self.cached_read)}, /readyz {_seen(self.readiness)}"
        )


class WritePlan:
    """Sends POSTs, PATCHes and DELETEs in turn, each on a target of its own."""

    def __init__(self, client: httpx.AsyncClient, api: ApiProcess, targets: list[str]) -> None:
        self._client, self._url = client, f"{api.url}/movies"
        self._targets: Iterator[str] = iter(targets)
        self._sent = 0
        self._paused = False
        self.outcomes: list[Outcome] = []

    async def send(self, kind: str | None = None) -> Outcome:
        n, self._sent = self._sent, self._sent + 1
        kind = kind or KINDS[n % len(KINDS)]
        target = f"Written {n}" if kind == "POST" else next(self._targets)
        started, during_pause = time.monotonic(), self._paused
        try:
            answer = await self._request(kind, target, n)
        except httpx.HTTPError:  # no answer within the client's timeout
            status, well_formed = 0, False
        else:
            status = answer.status_code
            well_formed = status in (200, 201, 204) or is_unavailable(answer)
        seconds = time.monotonic() - started
        during_pause = during_pause or self._paused  # begun or answered while paused
        outcome = Outcome(kind, target, n, status, seconds, during_pause, well_formed)
        self.outcomes.append(outcome)
        return outcome

    async def _request(self, kind: str, target: str, n: int) -> httpx.Response:
        if kind == "POST":
            body = {"title": target, "votes": n}
            return await self._client.post(self._url, json=body, headers=bearer())
        if kind == "PATCH":
            url = f"{self._url}/{target}"
            return await self._client.patch(url, json={"votes": n}, headers=bearer())
        return await self._client.delete(f"{self._url}/{target}", headers=bearer())

    async def through_pause(self, moto: MotoServer, cached: str, uncached: str) -> Outage:
        """Three writers (one per kind) keep writing; DynamoDB is paused while they do; each
        stops at its first answer that is not a 2xx; then DynamoDB is resumed, so that no
        write is left in flight (a late answer would make its outcome unknowable). While it
        is paused, a POST and a PATCH are sent besides (the POST queues behind the writer's)."""
        under_way = asyncio.Event()

        async def writer(kind: str) -> None:
            deadline = time.monotonic() + PAUSED_WRITERS_SECONDS
            for n in range(1_000):
                if n == 2:
                    under_way.set()  # once every writer has had a first answer, most likely
                if time.monotonic() > deadline:
                    return
                if (await self.send(kind)).status not in (200, 201, 204):
                    return

        writers = [asyncio.ensure_future(writer(kind)) for kind in KINDS]
        async with asyncio.timeout(60):
            await under_way.wait()
        moto.pause()
        paused, self._paused = time.monotonic(), True
        try:
            readiness, uncached_read, cached_read, *_ = await asyncio.gather(
                self._get(self._url.replace("/movies", "/readyz")),
                self._get(f"{self._url}/{uncached}"),
                self._get(f"{self._url}/{cached}"),
                self.send("POST"),
                self.send("PATCH"),
            )
            await asyncio.gather(*writers)
        finally:
            moto.resume()
            self._paused = False
        writes = [o for o in self.outcomes if o.during_pause]
        return Outage(readiness, uncached_read, cached_read, time.monotonic() - paused, writes)

    async def _get(self, url: str) -> httpx.Response | None:
        try:
            return await self._client.get(url)
        except httpx.TimeoutException:
            return None

    def unexpected(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.well_formed]

    def summary(self) -> str:
        return f"{len(self.outcomes)} writes: " + str(
            dict(Counter(f"{o.kind} {o.status}" for o in self.outcomes))
        )


def _seen(answer: httpx.Response | None) -> str:
    if answer is None:
        return "no answer"
    return f"{answer.status_code} in {answer.elapsed.total_seconds():.1f}s"


def landed(outcomes: list[Outcome], store: StoreState) -> int:
    """How many writes answered with a 503 took effect all the same."""
    titles = {movie.title for movie in store.movies.values()}
    count = 0
    for o in outcomes:
        if o.status != 503:
            continue
        if o.kind == "POST":
            count += o.target in titles
        elif o.kind == "DELETE":
            count += o.target not in store.movies
        else:
            count += store.movies[o.target].version == 2
    return count


def audit(outcomes: list[Outcome], store: StoreState) -> list[str]:
    """Each write whose effect in ``store`` contradicts its answer, explained."""
    titles = Counter(movie.title for movie in store.movies.values())
    found = [f"{count} movies titled {title!r}" for title, count in titles.items() if count > 1]
    for o in outcomes:
        movie = store.movies.get(o.target)
        now: object
        possible: set[object]
        if o.kind == "POST":
            now = titles[o.target]
            possible = {1} if o.status == 201 else {0, 1}
        elif o.kind == "PATCH":
            now = None if movie is None else (movie.version, movie.votes)
            possible = {(2, o.marker)} if o.status == 200 else {(1, MOVIE["votes"]), (2, o.marker)}
        else:
            now = None if movie is None else movie.version
            possible = {None} if o.status == 204 else {None, 1}
        if now not in possible:
            found.append(f"{o}: the store holds {now}, expected one of {possible}")
    return found


class EngineOutageRun:
    """Writes (mostly adds, some PATCHes and DELETEs), each followed by a read of a movie by
    id and a search nobody asked before (so that no cached answer can hide the engine)."""

    def __init__(self, client: httpx.AsyncClient, api: ApiProcess) -> None:
        self.client, self.api = client, api
        self.phase = "up"
        self.live: dict[str, int] = {}  # id -> the version the API last answered
        self.failed_writes: list[tuple[int, int, str]] = []
        self.failed_reads: list[tuple[int, int, str]] = []
        self.searches: dict[str, list[httpx.Response]] = {"up": [], "down": [], "starting": []}
        self._methods: list[str] = []
        self._random = random.Random(6)
        self._seconds: dict[str, float] = {}

    async def step(self, n: int) -> None:
        started = time.monotonic()
        await self._step(n)
        spent = time.monotonic() - started
        self._seconds[self.phase] = self._seconds.get(self.phase, 0.0) + spent

    async def _step(self, n: int) -> None:
        answer = await self._write(n)
        if answer.status_code not in (200, 201, 204):
            self.failed_writes.append((n, answer.status_code, answer.text))
        target = self._random.choice(sorted(self.live))
        read = await self.client.get(f"{self.api.url}/movies/{target}")
        if read.status_code != 200 or read.headers.get("etag") != f'"{self.live[target]}"':
            self.failed_reads.append((n, read.status_code, read.text))
        search = await self.client.get(f"{self.api.url}/movies", params={"q": f"probe{n}"})
        self.searches[self.phase].append(search)

    async def _write(self, n: int) -> httpx.Response:
        url, kind = f"{self.api.url}/movies", n % 10
        if len(self.live) > 5 and kind in (3, 7):
            target = self._random.choice(sorted(self.live))
            self._methods.append("PATCH")
            answer = await self.client.patch(f"{url}/{target}", json={"votes": n}, headers=bearer())
            if answer.status_code == 200:
                self.live[target] = answer.json()["version"]
            return answer
        if len(self.live) > 5 and kind == 5:
            target = self._random.choice(sorted(self.live))
            self._methods.append("DELETE")
            answer = await self.client.delete(f"{url}/{target}", headers=bearer())
            if answer.status_code == 204:
                del self.live[target]
            return answer
        self._methods.append("POST")
        answer = await self.client.post(url, json={"title": f"Outage movie {n}"}, headers=bearer())
        if answer.status_code == 201:
            self.live[answer.json()["id"]] = 1
        return answer

    def statuses(self) -> dict[str, dict[int, int]]:
        return {
            phase: dict(Counter(answer.status_code for answer in answers))
            for phase, answers in self.searches.items()
        }

    def timing(self) -> str:
        return ", ".join(f"{seconds:.1f}s {phase}" for phase, seconds in self._seconds.items())

    def counts(self) -> str:
        return ", ".join(f"{self._methods.count(m)} {m}" for m in ("POST", "PATCH", "DELETE"))
