"""The production profile's servers, started and stopped through the project's scripts.

OpenSearch runs as its own instance (``bench-opensearch``: its own state, removed on stop),
moto with its own state directory, and Redis through ``scripts/redis.sh``, whose state is
shared: a Redis that was already running is used (under a key prefix of this run's own)
and left running. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import ROOT, answers, pin

SCRIPTS = ROOT / "scripts"
INFRA = ROOT / ".infra"
ENGINE = "opensearch"
ENGINE_NAME = "bench-opensearch"
MOTO_STATE = INFRA / "bench-moto"
REDIS_MARK = MOTO_STATE / "redis-started"  # Redis was started by this run
LOG = INFRA / "bench-servers.log"


def script(*args: str, env: dict[str, str] | None = None) -> None:
    """Run a script with its output in ``LOG`` (a pipe would wait for the servers it starts
    in the background, which keep it open)."""
    INFRA.mkdir(parents=True, exist_ok=True)
    with LOG.open("a") as log:
        log.write(f"$ {' '.join(args)}\n")
        log.flush()
        done = subprocess.run(  # noqa: S603 - the project's own scripts
            ["bash", *args],  # noqa: S607 - bash from PATH, as make runs it
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            timeout=600,
            check=False,
            env=None if env is None else os.environ | env,
        )
    if done.returncode != 0:
        tail = LOG.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args)} failed (see {LOG}):\n{tail}")


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@dataclass
class Backends:
    """OpenSearch, Redis and moto; ``start`` fills in their URLs."""

    search_url: str = ""
    redis_url: str = ""
    moto_url: str = ""
    _started: list[str] = field(default_factory=list)

    def start(self) -> Backends:
        script(str(SCRIPTS / "search-engine.sh"), "start", ENGINE, ENGINE_NAME)
        self._started.append("search")
        self.search_url = (INFRA / f"{ENGINE_NAME}.url").read_text().strip()
        redis_url = INFRA / "redis.url"
        if not (redis_url.exists() and _redis_answers()):
            script(str(SCRIPTS / "redis.sh"), "start")
            self._started.append("redis")
            MOTO_STATE.mkdir(parents=True, exist_ok=True)
            REDIS_MARK.touch()  # for scripts/bench.sh, should this process be killed
        self.redis_url = redis_url.read_text().strip()
        script(str(SCRIPTS / "moto.sh"), "start", env={"INFRA_DIR": str(MOTO_STATE)})
        self._started.append("moto")
        self.moto_url = (MOTO_STATE / "moto.url").read_text().strip()
        if not answers(f"{self.search_url}/_cluster/health"):
            raise RuntimeError(f"OpenSearch does not answer at {self.search_url}")
        return self

    def pin(self, cpu: str) -> None:
        """Move the servers this run started onto ``cpu``."""
        pids = {
            "search": read_pid(INFRA / f"{ENGINE_NAME}.pid"),
            "redis": read_pid(INFRA / "redis.pid"),
            "moto": read_pid(MOTO_STATE / "moto.pid"),
        }
        for name in self._started:
            pid = pids[name]
            if pid is not None:
                pin(pid, cpu)

    def stop(self) -> None:
        """Stop what ``start`` started, last first; keep going when one fails."""
        commands = {
            "moto": ([str(SCRIPTS / "moto.sh"), "stop"], {"INFRA_DIR": str(MOTO_STATE)}),
            "redis": ([str(SCRIPTS / "redis.sh"), "stop"], None),
            "search": ([str(SCRIPTS / "search-engine.sh"), "stop", ENGINE, ENGINE_NAME], None),
        }
        while self._started:
            name = self._started.pop()
            args, env = commands[name]
            if name == "redis":
                REDIS_MARK.unlink(missing_ok=True)
            try:
                script(*args, env=env)
            except RuntimeError as error:
                print(f"bench: {error}")


def _redis_answers() -> bool:
    url = (INFRA / "redis.url").read_text().strip()
    done = subprocess.run(  # noqa: S603 - a fixed command
        ["redis-cli", "-u", url, "ping"],  # noqa: S607 - installed by scripts/redis.sh
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return done.stdout.strip() == "PONG"
