"""Shared test set-up: asyncio through anyio, and infra skips that CI turns into failures."""

from __future__ import annotations

import os

import pytest

REQUIRE_INFRA = os.environ.get("FILMFLARE_REQUIRE_INFRA") == "1"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def skip_without(service: str, reason: str) -> None:
    """Skip a test that needs a real ``service``; under FILMFLARE_REQUIRE_INFRA=1, fail it."""
    message = f"{service} is not available: {reason}"
    if REQUIRE_INFRA:
        pytest.fail(message + " (FILMFLARE_REQUIRE_INFRA=1 makes this a failure)")
    pytest.skip(message)
