"""A real Redis for the tests that need one.

``redis_url`` (session): FILMFLARE_TEST_REDIS_URL when set, else the server that
``scripts/redis.sh start`` left in .infra/redis.url if it answers, else a redis-server this
session starts and stops, else a skip (a failure under FILMFLARE_REQUIRE_INFRA=1).

``RedisServer`` is a server of the test's own, for tests that stop, pause or restart it: they
never touch a shared one. Every test names its keys under a unique ``redis_prefix``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import skip_without

URL_FILE = Path(__file__).resolve().parent.parent / ".infra" / "redis.url"
INSTALL_HINT = "install it with scripts/redis.sh install"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(url: str, timeout: float = 0.5) -> bool:
    """Does a Redis server at ``url`` answer PING (plain RESP, no client library)?"""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 6379)
    try:
        with socket.create_connection(address, timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server on 127.0.0.1 with nothing kept on disk, owned by one test or session."""

    def __init__(self, port: int | None = None, data_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # With a data directory the server saves its data when stopped and loads it when
        # started again, as a Redis with persistence (or a failover replica) comes back.
        self.data_dir = data_dir
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        # No snapshots, no append-only file: a test server keeps nothing on disk, unless it
        # has a data directory: then it snapshots on shutdown (a save point is configured).
        command = ["redis-server", "--save", "", "--appendonly", "no", "--logfile", ""]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            command[1:3] = ["--save", "3600 1", "--dir", str(self.data_dir)]
        self._process = subprocess.Popen(
            [*command, "--bind", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            process.terminate()
            process.wait(timeout=10)

    def pause(self) -> None:
        """Freeze the server with its data: connections open, nothing answered."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    configured = os.environ.get("FILMFLARE_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    if URL_FILE.exists() and answers(url := URL_FILE.read_text().strip()):
        yield url
        return
    if not RedisServer.available():
        skip_without(
            "redis",
            f"no FILMFLARE_TEST_REDIS_URL, no .infra/redis.url, no redis-server; {INSTALL_HINT}",
        )
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A server only this test uses, so that it may stop, pause or restart it."""
    if not RedisServer.available():
        skip_without("redis-server", f"this test stops its own server; {INSTALL_HINT}")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_prefix() -> str:
    """Keys of this test only, on a server others may share."""
    return f"filmflare-test:{uuid.uuid4().hex[:12]}:"
