"""The process's one DynamoDB client: credentials, region, retries and timeouts.

Credentials and region come from the standard AWS chain (environment, shared files, SSO,
container or instance roles). ``endpoint`` is for a local server only (moto, DynamoDB
Local): with one set and nothing in the chain, placeholder credentials and ``us-east-1`` are
used, because a local server checks neither. Against AWS nothing is ever invented.

Retries use the SDK's ``adaptive`` mode: exponential backoff with jitter for throttling,
5xx answers and dropped connections, plus a client-side rate limiter that slows this process
down while DynamoDB throttles it (a bulk import then settles at the rate the table takes).
The timeouts and attempt count keep a request that meets an outage short: it ends as a 503.
A DynamoDB that accepts connections but stops answering (a hung node, a paused server) costs
three attempts of 2 s plus backoff, 7 to 9 s; with a 20 s read timeout and four attempts it
cost 82 s, past any caller's patience (a load balancer's 60 s idle timeout included). A
healthy DynamoDB answers in milliseconds, so 2 s only ends requests that will not answer.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from filmflare.adapters.dynamodb.errors import BACKEND
from filmflare.domain.errors import BackendUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

LOCAL_REGION = "us-east-1"
_LOCAL_KEY = "local"  # a local server accepts any signature


def region_problem() -> str | None:
    """Why the SDK could not reach AWS from here, or None: checked at start-up, before serving."""
    if get_session().get_config_variable("region"):
        return None
    return "FILMFLARE_STORE=dynamodb on AWS needs a region: set AWS_DEFAULT_REGION or AWS_PROFILE"


class Connection:
    """Opens the client in ``open`` and closes it in ``close``; ``client`` in between."""

    def __init__(self, endpoint: str | None, max_attempts: int = 3) -> None:
        self._endpoint = endpoint
        self._config = AioConfig(
            retries={"mode": "adaptive", "total_max_attempts": max_attempts},
            connect_timeout=2,
            read_timeout=2,
            max_pool_connections=64,
        )
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: DynamoDBClient | None = None

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            raise BackendUnavailable(BACKEND, "the DynamoDB store is not started")
        return self._client

    async def open(self) -> None:
        if self._client is not None:
            return
        session = get_session()
        region = session.get_config_variable("region")
        key: str | None = None
        if self._endpoint is None:
            if not region:
                raise BackendUnavailable(
                    BACKEND, "no AWS region is configured: set AWS_DEFAULT_REGION or a profile"
                )
        else:
            region = region or LOCAL_REGION
            if await session.get_credentials() is None:
                key = _LOCAL_KEY
        stack = contextlib.AsyncExitStack()
        self._client = await stack.enter_async_context(
            session.create_client(
                "dynamodb",
                region_name=region,
                endpoint_url=self._endpoint,
                aws_access_key_id=key,
                aws_secret_access_key=key,
                config=self._config,
            )
        )
        self._stack = stack

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()
