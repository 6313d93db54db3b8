"""``filmflare`` commands run as a person runs them, on either profile, and what they leave."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.infra_moto import moto_url
from tests.infra_redis import redis_url
from tests.infra_search import opensearch_url
from tests.system.api_process import FILMFLARE, process_env
from tests.system.production import deployed_for_commands

__all__ = ["moto_url", "opensearch_url", "redis_url"]  # fixtures of the tests that import this


def filmflare(env: dict[str, str], cwd: Path, *args: str, timeout: float = 600) -> str:
    """Run ``filmflare *args`` to the end; its output (standard output, then error)."""
    done = subprocess.run(
        [str(FILMFLARE), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"filmflare {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def exported(env: dict[str, str], cwd: Path) -> list[dict[str, Any]]:
    """The whole catalog, as ``filmflare export -`` writes it."""
    done = subprocess.run(
        [str(FILMFLARE), "export", "-"], env=env, cwd=cwd, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def embedded(directory: Path) -> dict[str, str]:
    """The settings of an embedded catalog kept in ``directory``."""
    return process_env({"FILMFLARE_DATA_DIR": str(directory)})


@pytest.fixture
def production_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The settings of a production catalog of this test's own: DynamoDB (moto), OpenSearch,
    Redis, initialised as a deployment is."""
    servers = [
        request.getfixturevalue(name) for name in ("moto_url", "opensearch_url", "redis_url")
    ]
    workdir = tmp_path / "production"
    with deployed_for_commands(workdir, *servers) as deployment:
        yield process_env(deployment.env(workdir))
