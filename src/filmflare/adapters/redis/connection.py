"""The process's one Redis client, shared by the cache and the rate limiter.

Every command goes through ``run``: it is refused at once while the circuit breaker is open,
bounded by short socket timeouts (no retries: the caller falls back instead of waiting), and
any failure becomes ``BackendUnavailable`` naming the backend.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from filmflare.adapters.redis.breaker import CircuitBreaker
from filmflare.adapters.redis.metrics import RedisMetrics
from filmflare.domain.errors import BackendUnavailable

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

    async def start(self) -> None:
        self._users += 1
        if self._client is None:
            self._client = Redis.from_url(
                self._url,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=Retry(NoBackoff(), 0),
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

    def _started(self) -> Redis:
        if self._client is None:
            raise BackendUnavailable(self.name, "the redis client is not started")
        return self._client
