"""The processes a run starts: the servers under test on one core, all else on the other.

The API (``filmflare serve``, one worker) and the bare ASGI app run pinned to ``SERVER_CPU``;
wrk, the backends and the harness's own probes of the backends run on ``CLIENT_CPU``, so the
server under test has its core to itself. Each process gets only the ``FILMFLARE_*``
settings given and runs in its own directory, so no stray ``.env`` is read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_CPU = "0"
CLIENT_CPU = "1"
BOTH_CPUS = "0,1"


def _can_pin() -> bool:
    return shutil.which("taskset") is not None and {0, 1} <= os.sched_getaffinity(0)


def pinned(cpu: str) -> list[str]:
    """The command prefix that runs a program on ``cpu`` (nothing on a one-core machine)."""
    return ["taskset", "-c", cpu] if _can_pin() else []


def pin(pid: int, cpu: str) -> None:
    """Move a running process, every thread of it, onto ``cpu``."""
    if _can_pin():
        command = ["taskset", "-a", "-p", "-c", cpu, str(pid)]
        subprocess.run(command, capture_output=True, check=False)  # noqa: S603 - util-linux


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Memory:
    """A process's resident memory now and at its peak, from ``/proc/<pid>/status``."""

    rss_mib: float
    peak_mib: float


def memory(pid: int) -> Memory:
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024  # kB
    return Memory(round(fields["VmRSS"], 1), round(fields["VmHWM"], 1))


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def clean_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without its ``FILMFLARE_*``, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMFLARE_")}
    return env | dict(settings)


class Server:
    """A server under test on ``SERVER_CPU``: ``start`` returns once ``ready`` answers 200."""

    def __init__(
        self, name: str, command: list[str], env: Mapping[str, str], workdir: Path, port: int
    ) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / f"{name}-{port}.log"
        self._command = command
        self._env = dict(env)
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, f"{self.name} is not running"
        return self._process.pid

    def start(self, ready: str = "/healthz", seconds: float = 180.0) -> Server:
        self._workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - the servers under test
                [*pinned(SERVER_CPU), *self._command],
                cwd=self._workdir,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + seconds
        while not answers(self.url + ready):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return self

    def memory(self) -> Memory:
        return memory(self.pid)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def api_server(settings: Mapping[str, str], workdir: Path) -> Server:
    """``filmflare serve`` with one worker (uvicorn then serves in this very process)."""
    port = free_port()
    command = [str(BIN / "filmflare"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1"]
    return Server("api", command, clean_environment(settings), workdir, port)


def bare_server(answers_file: Path, workdir: Path) -> Server:
    """``bench/bare_app.py`` on the server ``filmflare serve`` runs, with its options:
    uvicorn, uvloop, httptools, one worker, no access log, no ``server`` header."""
    port = free_port()
    command = [str(BIN / "python"), "-m", "uvicorn", "--factory"]
    command += ["bench.bare_app:app_from_environment", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--loop", "uvloop"]
    command += ["--http", "httptools", "--no-access-log", "--no-server-header"]
    command += ["--log-level", "warning"]
    env = clean_environment({"BARE_APP_ANSWERS": str(answers_file)})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return Server("bare", command, env, workdir, port)


@contextlib.contextmanager
def running(server: Server, ready: str = "/healthz") -> Iterator[Server]:
    """``server``, started, and stopped however the block ends."""
    try:
        yield server.start(ready)
    finally:
        server.stop()
