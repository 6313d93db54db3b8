"""``Cache`` on Redis (``FILMFLARE_CACHE=redis``), shared by every replica.

Atomicity: ``get_many`` is one ``MGET``; the guarded ``set`` and ``incr`` are Lua scripts, so
the guard is compared and the entry written with no command in between; ``get_at_generation``
is a script too, so the generation and the entry under it are read in one round trip.

Failure: every call has short socket timeouts and goes through a circuit breaker
(``connection``), and raises ``BackendUnavailable("cache", ...)``; ``ResponseCache`` then
serves from the backends. Recovery needs no restart: the breaker lets a trial call through
after its cooldown.

Invalidation lost in an outage. A write deletes its movie's key after bumping a generation;
if Redis is unreachable then, the old entry may survive in Redis (a network partition, a
timeout, a server paused or restarted with its data) and be served once Redis answers again.
So when an ``incr`` or ``delete`` fails (or is skipped by the open breaker), this process
notes an invalidation as lost and, before its next command and from a background probe every
``recovery_interval`` seconds, recovers by, atomically:

- bumping the **epoch**: each entry carries the epoch it was written under (``codec``) and an
  entry of an older epoch reads as absent, so every entry written before the outage, the
  stale one included, is retired at once, without scanning keys;
- moving each ``generations`` counter past any value a reader may still hold (to at least the
  server's clock in ms), so that a fill whose store read predates the lost write fails its
  guard even if Redis lost its data and the counter restarted from nothing.

Movie keys are not generation-scoped: that would retire every cached movie on every write.
What remains: another replica that could still reach Redis during the outage may serve the
old entry until this process recovers, at most ``recovery_interval`` after Redis answers it
again; a Redis that restarted empty never holds a stale entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar, cast

from redis.asyncio import Redis

from filmflare.adapters.redis import scripts
from filmflare.adapters.redis.codec import Kind, decode
from filmflare.adapters.redis.connection import RedisConnection
from filmflare.domain.errors import BackendUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
_GUARDED_SET = scripts.LuaScript(scripts.GUARDED_SET)
_INCR = scripts.LuaScript(scripts.INCR)
_RECOVER = scripts.LuaScript(scripts.RECOVER)
_GET_AT_GENERATION = scripts.LuaScript(scripts.GET_AT_GENERATION)


class RedisCache:
    """Keys live under ``prefix``; ``generations`` are the counters readers use as guards."""

    def __init__(
        self,
        connection: RedisConnection,
        prefix: str = "filmflare:",
        generations: Sequence[str] = (),
        recovery_interval: float = 0.5,
    ) -> None:
        self._connection = connection
        self._prefix = prefix
        self._epoch = f"{prefix}~epoch"
        self._generations = [prefix + key for key in generations]
        self._recovery_interval = recovery_interval
        self._lost = 0  # invalidations lost so far
        self._recovered = 0  # ... of which a recovery has made up for
        self._probe: asyncio.Task[None] | None = None
        self._closing = False  # ends the probe even if a cancellation of it gets swallowed
        self._recovering = asyncio.Lock()  # one recovery at a time; the others wait for it
        # A restarted or failed-over server may hold entries another replica failed to
        # delete meanwhile: retire them all before the first command on it can read one.
        connection.on_new_server(scripts.RECOVER, [self._epoch, *self._generations])

    async def start(self) -> None:
        self._closing = False
        await self._connection.start()

    async def close(self) -> None:
        self._closing = True
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
            self._probe = None
        await self._connection.close()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        names = [self._epoch, *(self._prefix + key for key in keys)]
        # decode_responses is off: every value comes back as bytes.
        raw = cast(list[bytes | None], await self._run("get", lambda client: client.mget(names)))
        epoch = raw[0] or b"0"
        values = []
        for kind, value in (decode(item, epoch) for item in raw[1:]):
            if kind is not Kind.COUNTER:
                self._connection.metrics.lookups["hit" if kind is Kind.ENTRY else "miss"] += 1
            values.append(value)
        return values

    async def get_at_generation(
        self, counter: str, head: str, tail: str
    ) -> tuple[bytes | None, bytes | None]:
        keys = [self._prefix + counter, self._epoch]
        args: list[bytes | str] = [self._prefix + head, tail]
        generation, value = cast(
            list[bytes | None],
            await self._run("get", lambda client: _GET_AT_GENERATION(client, keys, args)),
        )
        self._connection.metrics.lookups["miss" if value is None else "hit"] += 1
        return generation, value

    async def set(
        self, key: str, value: bytes, ttl: float, guard: tuple[str, bytes | None] | None = None
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        keys = [self._prefix + key, self._epoch]
        mode, expected = "none", b""
        if guard is not None:
            keys.append(self._prefix + guard[0])
            mode, expected = ("absent", b"") if guard[1] is None else ("equals", guard[1])
        args: list[bytes | str] = [value, str(max(1, math.ceil(ttl * 1000))), mode, expected]
        await self._run("set", lambda client: _GUARDED_SET(client, keys, args))

    async def delete(self, keys: Sequence[str]) -> None:
        if keys:
            names = [self._prefix + key for key in keys]
            await self._run("delete", lambda client: client.delete(*names), invalidates=True)

    async def incr(self, key: str) -> int:
        keys = [self._prefix + key, self._epoch]
        value = await self._run("incr", lambda client: _INCR(client, keys, []), invalidates=True)
        return int(value)

    async def ping(self) -> None:
        await self._run("ping", lambda client: client.ping())

    async def _run(
        self, operation: str, command: Callable[[Redis], Awaitable[T]], invalidates: bool = False
    ) -> T:
        async def recovered_first(client: Redis) -> T:
            await self._recover(client)
            return await command(client)

        try:
            return await self._connection.run(operation, recovered_first)
        except BackendUnavailable:
            if invalidates:
                self._lose()
            raise

    def _lose(self) -> None:
        self._lost += 1
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._keep_probing())

    async def _keep_probing(self) -> None:
        """Recover as soon as Redis answers, even if this process gets no request."""
        while self._lost != self._recovered and not self._closing:
            await asyncio.sleep(self._recovery_interval)
            with contextlib.suppress(BackendUnavailable):
                await self._connection.run("recover", self._recover)

    async def _recover(self, client: Redis) -> None:
        if self._lost == self._recovered:
            return
        async with self._recovering:
            lost = self._lost
            if lost == self._recovered:
                return
            await _RECOVER(client, [self._epoch, *self._generations], [])
            self._recovered = max(self._recovered, lost)
        self._connection.metrics.recoveries += 1
        log.warning("redis answers again: retired every cached response written before")
