"""``Cache`` on Redis (``FILMFLARE_CACHE=redis``), shared by every replica.

A ``read`` is one ``MGET`` of the generation and the entry (one hash tag, so one slot on a
Redis Cluster); the entry carries the generation's value it was written under (``codec``), so
the comparison is made here. The guarded ``write`` and the ``bump`` are Lua scripts that name
every key they touch.

Failure: every call is bounded in time and goes through a circuit breaker (``connection``),
and raises ``BackendUnavailable("cache", ...)``; ``ResponseCache`` then serves from the
backends. Recovery needs no restart: the breaker lets a trial call through after its cooldown.

Invalidation lost in an outage. A write bumps a generation; if Redis is unreachable then, the
entries under it may survive in Redis (a network partition, a timeout, a server paused or
restarted with its data) and be served once Redis answers again. So when a ``bump`` fails (or
is skipped by the open breaker), this process notes an invalidation as lost and, before its
next command and from a background probe every ``recovery_interval`` seconds, recovers by
bumping every one of ``generations``: each moves past any value a reader may still hold (to
at least the server's clock in ms), so every entry written before, the stale one included,
reads as absent, and a fill whose store read predates the lost write fails its guard even if
Redis lost its data and the counter restarted from nothing.

What remains: another replica that could still reach Redis during the outage may serve an old
entry until this process recovers, at most ``recovery_interval`` after Redis answers it
again; a Redis that restarted empty never holds a stale entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar, cast

from filmflare.adapters.redis import scripts
from filmflare.adapters.redis.codec import current
from filmflare.adapters.redis.connection import RedisConnection
from filmflare.adapters.redis.scripts import Client
from filmflare.domain.errors import BackendUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
_GUARDED_WRITE = scripts.LuaScript(scripts.GUARDED_WRITE)
_BUMP = scripts.LuaScript(scripts.BUMP)
# A recovery bumps every generation at once; it may take longer than one command.
_RECOVERY_TIMEOUTS = 20


class RedisCache:
    """Keys live under ``prefix``; ``generations`` are every counter a recovery must move."""

    def __init__(
        self,
        connection: RedisConnection,
        prefix: str = "filmflare:",
        generations: Sequence[str] = (),
        recovery_interval: float = 0.5,
    ) -> None:
        self._connection = connection
        self._prefix = prefix
        self._generations = [prefix + key for key in generations]
        self._recovery_interval = recovery_interval
        self._lost = 0  # invalidations lost so far
        self._recovered = 0  # ... of which a recovery has made up for
        self._probe: asyncio.Task[None] | None = None
        self._closing = False  # ends the probe even if a cancellation of it gets swallowed
        self._recovering = asyncio.Lock()  # one recovery at a time; the others wait for it
        # A restarted or failed-over server may hold entries another replica failed to
        # retire meanwhile: retire them all before the first command on it can read one.
        connection.on_new_server(scripts.BUMP, self._generations)

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

    async def read(self, key: str, generation: str) -> tuple[bytes | None, bytes | None]:
        names = [self._prefix + generation, self._prefix + key]
        # decode_responses is off: every value comes back as bytes.
        seen, raw = cast(
            list[bytes | None], await self._run("get", lambda client: client.mget(names))
        )
        value = current(raw, seen)
        self._connection.metrics.lookups["miss" if value is None else "hit"] += 1
        return seen, value

    async def write(
        self, key: str, value: bytes, ttl: float, generation: str, seen: bytes | None
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        keys = [self._prefix + key, self._prefix + generation]
        args: list[bytes | str] = [value, str(max(1, math.ceil(ttl * 1000))), seen or b""]
        await self._run("set", lambda client: _GUARDED_WRITE(client, keys, args))

    async def bump(self, generation: str) -> None:
        keys = [self._prefix + generation]
        await self._run("bump", lambda client: _BUMP(client, keys, []), invalidates=True)

    async def ping(self) -> None:
        await self._run("ping", lambda client: client.ping())

    async def _run(
        self, operation: str, command: Callable[[Client], Awaitable[T]], invalidates: bool = False
    ) -> T:
        async def recovered_first(client: Client) -> T:
            await self._recover(client)
            return await command(client)

        try:
            return await self._connection.run(operation, recovered_first, self._budget())
        except BackendUnavailable:
            if invalidates:
                self._lose()
            raise

    def _budget(self) -> float | None:
        """A command's time, or a recovery's when one must run first."""
        if self._lost == self._recovered:
            return None
        return self._connection.timeout * _RECOVERY_TIMEOUTS

    def _lose(self) -> None:
        self._lost += 1
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._keep_probing())

    async def _keep_probing(self) -> None:
        """Recover as soon as Redis answers, even if this process gets no request."""
        while self._lost != self._recovered and not self._closing:
            await asyncio.sleep(self._recovery_interval)
            with contextlib.suppress(BackendUnavailable):
                await self._connection.run("recover", self._recover, self._budget())

    async def _recover(self, client: Client) -> None:
        if self._lost == self._recovered:
            return
        async with self._recovering:
            lost = self._lost
            if lost == self._recovered:
                return
            # One key a script: each generation may live in its own slot of a cluster.
            async with client.pipeline(transaction=False) as pipeline:
                for name in self._generations:
                    pipeline.eval(scripts.BUMP, 1, name)
                await pipeline.execute()
            self._recovered = max(self._recovered, lost)
        self._connection.metrics.recoveries += 1
        log.warning("redis answers again: retired every cached response written before")
