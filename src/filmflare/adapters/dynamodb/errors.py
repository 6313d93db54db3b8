"""SDK failures as domain errors: an unusable store is ``BackendUnavailable("store", ...)``.

Throttling, timeouts and dropped connections were already retried by the SDK (see
``connection``), so what reaches here is an outage as far as this request can tell: a 503
with ``Retry-After``, never a 500. Conditional failures pass through for the caller to read,
and so does ``ValidationException``: a request DynamoDB finds malformed is a bug here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator

from botocore.exceptions import BotoCoreError, ClientError

from filmflare.domain.errors import BackendUnavailable

BACKEND = "store"
CANCELLED = "TransactionCanceledException"
CONDITION_FAILED = "ConditionalCheckFailedException"
_PASS_THROUGH = frozenset({CANCELLED, CONDITION_FAILED, "ValidationException"})
_HINTS = {"ResourceNotFoundException": " (has `filmflare init` created the tables?)"}


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "Unknown")


@contextlib.contextmanager
def translated(action: str, passing: Collection[str] = ()) -> Iterator[None]:
    """Run the block; an SDK failure it raises becomes ``BackendUnavailable``.

    ``passing`` names further error codes the caller handles itself.
    """
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code in _PASS_THROUGH or code in passing:
            raise
        message = error.response.get("Error", {}).get("Message", "")
        reason = f"{action}: {code}: {message}{_HINTS.get(code, '')}"
        raise BackendUnavailable(BACKEND, reason) from error
    except BotoCoreError as error:
        raise BackendUnavailable(BACKEND, f"{action}: {error}") from error
