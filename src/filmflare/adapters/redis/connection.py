"""The process's one Redis client, shared by the cache and the rate limiter.

Every command goes through ``run``: it is refused at once while the circuit breaker is open,
bounded by short socket timeouts (no retries: the caller falls back instead of waiting), and
any failure becomes ``BackendUnavailable`` naming the backend.

Each new connection also asks the server for its ``run_id``: one that differs from the last
connection's means Redis restarted (with its data, if it persists) or failed over, and may
hold entries whose invalidation another replica lost meanwhile. The scripts registered with
``on_new_server`` (the cache's: retire every entry) then run on that connection before it
serves its first command. Without that, a process that saw no error during the outage (its
pooled connection is replaced silently) served such entries until the replica that lost the
invalidation recovered: measured, for up to a second after a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from filmflare.adapters.redis.breaker import CircuitBreaker
from filmflare.adapters.redis.metrics import RedisMetrics
from filmflare.domain.errors import BackendUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
NOT_AN_INTEGER = "not an integer"


class RedisConnection:
    """A client for ``url`` with ``timeout`` seconds to connect and to answer each command.

    ``start`` and ``close`` are counted, so each adapter sharing the connection starts and
    closes it; the client exists between the first start and the last close.
    """

    def __init__(
        self,
        url: str,
        timeout: float = 0.1,
        breaker: CircuitBreaker | None = None,
        name: str = "cache",
    ) -> None:
        self.name = name
        self.breaker = breaker or CircuitBreaker("redis")
        self.metrics = RedisMetrics(lambda: self.breaker.state, lambda: self.breaker.opened)
        self._url = url
        self._timeout = timeout
        self._client: Redis | None = None
        self._users = 0
        self._server: bytes | None = None  # the run_id the last new connection found
        self._on_new_server: list[tuple[str, list[str]]] = []

    def on_new_server(self, script: str, keys: Sequence[str]) -> None:
        """Run the Lua ``script`` on ``keys`` when a new connection reaches another server
        than the last one did, before that connection serves a command."""
        self._on_new_server.append((script, list(keys)))

    async def start(self) -> None:
        self._users += 1
        if self._client is None:
            self._client = Redis.from_url(
                self._url,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=Retry(NoBackoff(), 0),
                redis_connect_func=self._handshake,
            )

    async def close(self) -> None:
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def run(self, operation: str, command: Callable[[Redis], Awaitable[T]]) -> T:
        client = self._started()
        if not self.breaker.allow():
            self.metrics.command(operation, "skipped")
            raise BackendUnavailable(
                self.name, f"redis {operation} skipped: circuit open after repeated failures"
            )
        try:
            result = await command(client)
        except ResponseError as error:  # the server answered: it is up
            self.breaker.succeeded()
            self.metrics.command(operation, "failed")
            if NOT_AN_INTEGER in str(error):
                raise ValueError(str(error)) from error
            raise BackendUnavailable(self.name, f"redis {operation}: {error}") from error
        except (RedisError, OSError) as error:
            self.breaker.failed()
            self.metrics.command(operation, "failed")
            reason = str(error) or type(error).__name__
            raise BackendUnavailable(self.name, f"redis {operation}: {reason}") from error
        except BaseException:
            self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        self.metrics.command(operation, "ok")
        return result

    async def _handshake(self, connection: AbstractConnection) -> None:
        """redis-py's own handshake, then: is this the server the last connection reached?"""
        await connection.on_connect()
        try:
            await connection.send_command("INFO", "server")
            info = await connection.read_response()
        except ResponseError:  # INFO refused (a restricted managed service): cannot tell
            return
        text = info if isinstance(info, bytes) else str(info).encode()
        found = [line for line in text.splitlines() if line.startswith(b"run_id:")]
        if not found:
            return
        if self._server is not None and found[0] != self._server:
            for script, keys in self._on_new_server:
                await connection.send_command("EVAL", script, len(keys), *keys)
                await connection.read_response()
            self.metrics.recoveries += 1
            log.warning("redis is another server now (restarted or failed over): recovered")
        # Only once the scripts ran: should they fail, the next connection tries again.
        self._server = found[0]

    def _started(self) -> Redis:
        if self._client is None:
            raise BackendUnavailable(self.name, "the redis client is not started")
        return self._client
