"""The process's one Redis client, shared by the cache and the rate limiter.

Every command goes through ``run``: it is refused at once while the circuit breaker is open,
bounded by ``asyncio.timeout`` (no retries: the caller falls back instead of waiting), and any
failure becomes ``BackendUnavailable`` naming the backend. The client has no socket timeout:
redis-py enforces one with ``asyncio.wait_for``, which on Python 3.11 drops a cancellation
that arrives as the awaited send completes, so a task cancelled in a Redis call (a request
whose client went away, the indexer at shutdown) could go on as if nothing happened.
A command cut short by the timeout closes its connection (redis-py drops a connection whose
reply was not read), so no later command reads its answer.

With ``cluster=True`` the URL names one node of a Redis Cluster, and redis-py's cluster
client routes each command by the hash slot of its keys; the callers keep the keys of one
command under one hash tag.

Each new connection also asks its server for its ``run_id``: one that differs from what the
last connection to that address found means Redis restarted there (with its data, if it
persists) or failed over, and may hold entries whose invalidation another replica lost
meanwhile. The scripts registered with ``on_new_server`` (the cache's: bump every generation)
then run on that connection before it serves its first command. Without that, a process that
saw no error during the outage (its pooled connection is replaced silently) served such
entries until the replica that lost the invalidation recovered: measured, for up to a second
after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AskError, RedisError, ResponseError

from filmflare.adapters.redis.breaker import CircuitBreaker
from filmflare.adapters.redis.metrics import RedisMetrics
from filmflare.adapters.redis.scripts import Client
from filmflare.domain.errors import BackendUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
NOT_AN_INTEGER = "not an integer"
# Discovering a cluster takes a few round trips: allow it more than one command's time.
DISCOVERY_TIMEOUTS = 20


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
        cluster: bool = False,
    ) -> None:
        self.name = name
        self.breaker = breaker or CircuitBreaker("redis")
        self.metrics = RedisMetrics(lambda: self.breaker.state, lambda: self.breaker.opened)
        self.timeout = timeout
        self._url = url
        self._cluster = cluster
        self._client: Client | None = None
        self._users = 0
        self._servers: dict[tuple[str, int], bytes] = {}  # address -> the run_id found there
        self._on_new_server: list[tuple[str, list[str]]] = []

    def on_new_server(self, script: str, keys: Sequence[str]) -> None:
        """Run the Lua ``script`` on each of ``keys`` (one key a call, so each may live in its
        own slot) when a new connection reaches another server than the last one at its
        address did, before that connection serves a command."""
        self._on_new_server.append((script, list(keys)))

    async def start(self) -> None:
        self._users += 1
        if self._client is None:
            self._client = self._connect()
            if isinstance(self._client, RedisCluster):
                await self._discover(self._client)

    async def _discover(self, cluster: RedisCluster) -> None:
        """Learn the cluster's slots now, not within the first request's timeout; a cluster
        that does not answer yet is learnt by the first command that reaches it."""
        try:
            async with asyncio.timeout(self.timeout * DISCOVERY_TIMEOUTS):
                await cluster.initialize()
        except (RedisError, OSError) as error:  # TimeoutError is an OSError
            log.warning("redis cluster not reachable at start: %s", str(error) or "timeout")

    async def close(self) -> None:
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def run(
        self,
        operation: str,
        command: Callable[[Client], Awaitable[T]],
        budget: float | None = None,
    ) -> T:
        """``command`` on the client, within ``budget`` seconds (default: the connection's
        timeout)."""
        client = self._started()
        if not self.breaker.allow():
            self.metrics.command(operation, "skipped")
            raise BackendUnavailable(
                self.name, f"redis {operation} skipped: circuit open after repeated failures"
            )
        limit = self.timeout if budget is None else budget
        try:
            async with asyncio.timeout(limit):
                result = await command(client)
        except ResponseError as error:  # the server answered: it is up
            self.breaker.succeeded()
            self.metrics.command(operation, "failed")
            if NOT_AN_INTEGER in str(error):
                raise ValueError(str(error)) from error
            raise BackendUnavailable(self.name, f"redis {operation}: {error}") from error
        except TimeoutError as error:
            self.breaker.failed()
            self.metrics.command(operation, "failed")
            raise BackendUnavailable(
                self.name, f"redis {operation}: no answer within {limit:g}s"
            ) from error
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

    def _connect(self) -> Client:
        # No socket_timeout (see the module's docstring); connects are bounded with
        # asyncio.timeout inside redis-py, and every command by ``run``.
        if self._cluster:
            cluster = RedisCluster.from_url(
                self._url,
                socket_timeout=None,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),
            )
            # redis-py's cluster client takes no connect hook: give it to the nodes it knows
            # and to those it will discover, which are made from these same settings.
            cluster.connection_kwargs["redis_connect_func"] = self._handshake
            for node in cluster.startup_nodes:
                node.connection_kwargs["redis_connect_func"] = self._handshake
            return cluster
        return Redis.from_url(
            self._url,
            socket_timeout=None,
            socket_connect_timeout=self.timeout,
            retry=Retry(NoBackoff(), 0),
            redis_connect_func=self._handshake,
        )

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
        address = (str(getattr(connection, "host", "")), int(getattr(connection, "port", 0)))
        known = self._servers.get(address)
        if known is not None and found[0] != known:
            for script, keys in self._on_new_server:
                await _each_key(connection, script, keys)
            self.metrics.recoveries += 1
            log.warning("redis is another server now (restarted or failed over): recovered")
        # Only once the scripts ran: should they fail, the next connection tries again.
        self._servers[address] = found[0]

    def _started(self) -> Client:
        if self._client is None:
            raise BackendUnavailable(self.name, "the redis client is not started")
        return self._client


async def _each_key(connection: AbstractConnection, script: str, keys: Sequence[str]) -> None:
    """``script`` once per key, pipelined on ``connection``. On a cluster node, the keys of
    other nodes' slots are refused (MOVED) and left to those nodes' own handshakes."""
    commands = [("EVAL", script, 1, key) for key in keys]
    await connection.send_packed_command(connection.pack_commands(commands))
    for _ in commands:
        with contextlib.suppress(AskError):  # MOVED is one too
            await connection.read_response()
