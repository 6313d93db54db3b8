"""The two profiles a run measures, as the ``FILMFLARE_*`` settings of each of their processes.

- embedded: SQLite, the embedded engine and the memory cache, in a data directory of its own.
- production: ``FILMFLARE_PROFILE=production`` on DynamoDB (moto), OpenSearch and Redis, with
  table, index and key prefix names of this run's own.
- opensearch, elasticsearch: SQLite and the memory cache beside that engine, for the query-cost
  scenario alone, which measures the engine (no API is served on them).

Both run one worker at the log level given (the service's default, ``info``, unless told).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backends import Backends
from bench.servers import BIN, ROOT, SERVER_CPU, Server, api_server, clean_environment, pinned

SECRET = "bench-only-secret-0123456789abcdef0123456789abcdef"  # noqa: S105 - local runs only


@dataclass
class Profile:
    name: str
    settings: dict[str, str]
    workdir: Path
    engine_url: str = ""  # the search engine's own URL (production)
    _starts: int = field(default=0)

    @property
    def alias(self) -> str:
        return self.settings.get("FILMFLARE_SEARCH_INDEX", "")

    def api(self) -> Server:
        """A new API process; on production with a Redis key prefix of its own, so that its
        cache starts empty, as a new process's memory cache does."""
        self._starts += 1
        settings = dict(self.settings)
        if "FILMFLARE_REDIS_PREFIX" in settings:
            settings["FILMFLARE_REDIS_PREFIX"] += f"{self._starts}:"
        return api_server(settings, self.workdir)

    def probe(
        self, *args: str, cpu: str | None = SERVER_CPU, timeout: float = 7200
    ) -> dict[str, Any]:
        """``python -m bench.probe ARGS`` under this profile's settings; its JSON answer."""
        env = clean_environment(self.settings)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [*(pinned(cpu) if cpu else []), str(BIN / "python"), "-m", "bench.probe"]
        done = subprocess.run(  # noqa: S603 - this harness's own probe
            [*command, *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.probe {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    def token(self) -> str:
        """A writer's token for the mixed run (``filmflare token``)."""
        done = subprocess.run(  # noqa: S603 - the project's own command
            [str(BIN / "filmflare"), "token", "--ttl", "14400"],
            cwd=self.workdir,
            env=clean_environment(self.settings),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip()


def embedded(workdir: Path, log_level: str) -> Profile:
    data = workdir / "embedded"
    data.mkdir(parents=True, exist_ok=True)
    settings = {
        "FILMFLARE_DATA_DIR": str(data / "data"),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": log_level,
        "FILMFLARE_WORKERS": "1",
    }
    return Profile("embedded", settings, data)


def production(workdir: Path, backends: Backends, run_id: str, log_level: str) -> Profile:
    data = workdir / "production"
    data.mkdir(parents=True, exist_ok=True)
    name = f"bench-{run_id}"
    settings = {
        "FILMFLARE_PROFILE": "production",
        "FILMFLARE_STORE": "dynamodb",
        "FILMFLARE_DYNAMODB_TABLE": name,
        "FILMFLARE_DYNAMODB_ENDPOINT": backends.moto_url,
        "FILMFLARE_SEARCH": "opensearch",
        "FILMFLARE_SEARCH_URL": backends.search_url,
        "FILMFLARE_SEARCH_INDEX": name,
        "FILMFLARE_CACHE": "redis",
        "FILMFLARE_REDIS_URL": backends.redis_url,
        "FILMFLARE_REDIS_PREFIX": f"{name}:",
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": log_level,
        "FILMFLARE_WORKERS": "1",
        "FILMFLARE_DATA_DIR": str(data / "data"),
    }
    return Profile("production", settings, data, engine_url=backends.search_url)


def search_engine(name: str, workdir: Path, url: str, run_id: str, log_level: str) -> Profile:
    """SQLite beside the engine ``name`` (opensearch or elasticsearch) at ``url``."""
    data = workdir / name
    data.mkdir(parents=True, exist_ok=True)
    settings = {
        "FILMFLARE_SEARCH": name,
        "FILMFLARE_SEARCH_URL": url,
        "FILMFLARE_SEARCH_INDEX": f"bench-{run_id}-{name}",
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_LOG_LEVEL": log_level,
        "FILMFLARE_WORKERS": "1",
        "FILMFLARE_DATA_DIR": str(data / "data"),
    }
    return Profile(name, settings, data, engine_url=url)
