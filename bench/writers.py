"""Writers beside the readers: how long each write takes, and how soon search shows it.

    python -m bench.writers URL TOKEN IDS_FILE SECONDS WRITERS RATE

``WRITERS`` connections write ``RATE`` times a second in all, each write timed from when it
was due (``RATE`` 0: in a closed loop, each connection's next write when its last answered):
four merge patches of existing movies (the ids of ``IDS_FILE`` in turn) for every new movie.
Every write sets ``votes`` to a mark of its own, higher than every earlier one, so that one
search, ``GET /movies?votes_min=M&sort=votes``, shows every write from mark ``M`` on. Two
pollers send it over and over (``M`` the oldest write not seen yet); a write's visibility is
the time from its 2xx to the first answer that shows it (its mark, or a later one for the
same movie). Prints one JSON object: every write's latency and visibility (ms), how many
writes were never seen (within ``GRACE`` of the end), and the errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

CREATE_EVERY = 5  # one new movie for every four patches
POLLERS = 2
POLL_PAUSE = 0.01  # seconds between one poller's searches
POLL_PAGE = 50
GRACE = 10.0  # seconds a write may stay unseen after the writers stop; then it is lost


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time (the server answers with
    ``Content-Length``: FastAPI never streams these)."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._host = f"{host}:{port}".encode()
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
    ) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(*self._address)
        reader, writer = self._streams
        head = [f"{method} {target} HTTP/1.1".encode(), b"Host: " + self._host]
        head += [f"{name}: {value}".encode() for name, value in headers]
        if body or method in ("POST", "PATCH", "PUT"):
            head.append(f"Content-Length: {len(body)}".encode())
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        try:
            lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await reader.readexactly(length)

    async def close(self) -> None:
        streams, self._streams = self._streams, None
        if streams is not None:
            streams[1].close()
            with contextlib.suppress(ConnectionError):
                await streams[1].wait_closed()


@dataclass
class Tally:
    """What the writers and pollers saw, times in milliseconds."""

    base: int
    marks: int = 0
    writes_ms: list[float] = field(default_factory=list)
    visible_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    # mark -> (movie id, when its 2xx arrived), for writes not seen in search yet
    unseen: dict[int, tuple[str, float]] = field(default_factory=dict)

    def next_mark(self) -> int:
        self.marks += 1
        return self.base + self.marks

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def as_json(self, seconds: float) -> dict[str, Any]:
        return {
            "seconds": round(seconds, 3),
            "write_ms": [round(ms, 2) for ms in self.writes_ms],
            "visible_ms": [round(ms, 2) for ms in self.visible_ms],
            "unseen": len(self.unseen),
            "errors": self.errors,
        }

    def seen(self, movies: Sequence[dict[str, Any]], at: float) -> None:
        shown = {m["id"]: m["votes"] for m in movies}
        for mark, (movie_id, written) in list(self.unseen.items()):
            votes = shown.get(movie_id)
            if votes is not None and votes >= mark:
                del self.unseen[mark]
                self.visible_ms.append((at - written) * 1000)


async def write(
    connection: Connection, tally: Tally, ids: Sequence[str], token: str, n: int, due: float
) -> None:
    mark = tally.next_mark()
    headers = [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")]
    if mark % CREATE_EVERY == 0:
        body = {"title": f"Bench write {mark}", "genres": ["Drama"], "votes": mark}
        method, target = "POST", "/movies"
    else:
        body = {"votes": mark}
        method, target = "PATCH", f"/movies/{ids[n % len(ids)]}"
    try:
        status, answer = await connection.request(method, target, headers, orjson.dumps(body))
    except (OSError, asyncio.IncompleteReadError):
        tally.error("connection")
        return
    done = time.perf_counter()
    if status // 100 != 2:
        tally.error(str(status))
        return
    tally.writes_ms.append((done - due) * 1000)
    tally.unseen[mark] = (orjson.loads(answer)["id"], done)


async def writer(
    url: tuple[str, int],
    tally: Tally,
    ids: Sequence[str],
    token: str,
    first: int,
    every: float,
    start: float,
    until: float,
) -> None:
    """Write every ``every`` seconds (at once when behind), timing each write from when it
    was due: a slow answer delays the next ones, and their wait counts (no coordinated
    omission). ``every`` 0: each write as soon as the last one answered."""
    connection = Connection(*url)
    n = first
    due = start
    while due < until:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await write(connection, tally, ids, token, n, due)
        n += 1
        due = due + every if every else time.perf_counter()
    await connection.close()


async def poller(url: tuple[str, int], tally: Tally, writing: asyncio.Event, delay: float) -> None:
    connection = Connection(*url)
    await asyncio.sleep(delay)
    stop = None
    while tally.unseen or writing.is_set():
        if not writing.is_set():
            stop = stop or time.perf_counter() + GRACE
            if time.perf_counter() > stop:
                break
        if tally.unseen:
            oldest = min(tally.unseen)
            target = f"/movies?votes_min={oldest}&sort=votes&per_page={POLL_PAGE}"
            try:
                status, answer = await connection.request("GET", target)
            except (OSError, asyncio.IncompleteReadError):
                tally.error("poll connection")
                continue
            if status == 200:
                tally.seen(orjson.loads(answer)["results"], time.perf_counter())
            else:
                tally.error(f"poll {status}")
        await asyncio.sleep(POLL_PAUSE)
    await connection.close()


async def measure(
    url: str, token: str, ids: Sequence[str], seconds: float, writers: int, rate: float
) -> dict[str, Any]:
    """``writers`` connections writing ``rate`` times a second in all (0: each as fast as it
    can) for ``seconds``, and the pollers until every write is seen (or ``GRACE`` is up)."""
    host, _, port = url.removeprefix("http://").partition(":")
    address = (host, int(port or 80))
    tally = Tally(base=time.time_ns() // 1000)  # above the marks of any earlier run
    writing = asyncio.Event()
    writing.set()
    began = time.perf_counter()
    until = began + seconds
    pollers = [
        asyncio.create_task(poller(address, tally, writing, POLL_PAUSE * n / POLLERS))
        for n in range(POLLERS)
    ]
    every = writers / rate if rate > 0 else 0.0
    spread = max(1, len(ids) // writers)
    starts = [began + every * n / writers for n in range(writers)]  # evenly staggered
    await asyncio.gather(
        *(
            writer(address, tally, ids, token, n * spread, every, start, until)
            for n, start in enumerate(starts)
        )
    )
    elapsed = time.perf_counter() - began
    writing.clear()
    await asyncio.gather(*pollers)
    return tally.as_json(elapsed)


def main(argv: Sequence[str]) -> None:
    url, token, ids_file, seconds, writers, rate = argv
    ids = [line.removeprefix("/movies/") for line in Path(ids_file).read_text().split()]
    answer = asyncio.run(measure(url, token, ids, float(seconds), int(writers), float(rate)))
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
