"""The API as production runs it: ``filmflare serve`` on a free port, with its workers.

Each process gets only the ``FILMFLARE_*`` settings given (the caller's are dropped) and
runs in its own working directory, so no stray ``.env`` is read. Its output goes to a log
file next to it, shown when it fails to start.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

from tests.infra_redis import free_port

FILMFLARE = Path(sys.executable).with_name("filmflare")  # the console script of this venv
_HIT = re.compile(r'^filmflare_cache_lookups_total\{result="hit"\} ([0-9.e+]+)$', re.M)


class ApiProcess:
    """``workers`` server processes behind one port, as ``filmflare serve --workers`` runs."""

    def __init__(self, workdir: Path, settings: Mapping[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"api-{self.port}.log"
        self._workdir = workdir
        self._settings = settings
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.launch()
        self.wait_until_healthy()

    def launch(self) -> None:
        """Start the process without waiting for it (``wait_until_healthy`` does)."""
        env = process_env(self._settings)
        self._workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    str(FILMFLARE),
                    "serve",
                    *("--host", "127.0.0.1", "--port", str(self.port)),
                    *("--workers", str(self.workers)),
                ],
                cwd=self._workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_healthy(self) -> None:
        assert self._process is not None, "launch() first"
        deadline = time.monotonic() + 60
        while not self._healthy():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the API did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        assert self._process is not None, "launch() first"
        return self._process.pid

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def _healthy(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        return False


def process_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with only ``settings`` for the ``FILMFLARE_*`` ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMFLARE_")}
    return env | dict(settings)


@contextlib.contextmanager
def running(*processes: ApiProcess) -> Iterator[tuple[ApiProcess, ...]]:
    try:
        for process in processes:  # all at once: each takes seconds to import and start
            process.launch()
        for process in processes:
            process.wait_until_healthy()
        yield processes
    finally:
        for process in processes:
            process.stop()


async def cache_hits(client: httpx.AsyncClient, api: ApiProcess) -> float:
    """The ``filmflare_cache_lookups_total{result="hit"}`` that ``api`` reports."""
    text = (await client.get(f"{api.url}/metrics")).text
    match = _HIT.search(text)
    return float(match[1]) if match else 0.0
