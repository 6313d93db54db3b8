"""A real Redis for the tests that need one.

``redis_url`` (session): FILMFLARE_TEST_REDIS_URL when set, else the server that
``scripts/redis.sh start`` left in .infra/redis.url if it answers, else a redis-server this
session starts and stops, else a skip (a failure under FILMFLARE_REQUIRE_INFRA=1).

``redis_cluster_url`` (session), the same for a Redis Cluster of 3 masters:
FILMFLARE_TEST_REDIS_CLUSTER_URL, else the cluster ``scripts/redis.sh cluster-start`` left in
.infra/redis-cluster.url if it says cluster_state:ok, else a ``RedisCluster`` this session
starts and stops, else a skip. Its URL names one node, database 0 (the only one a cluster has);
``is_cluster(url)`` tells a test which kind of server a URL names.

``RedisServer`` is a server of the test's own, for tests that stop, pause or restart it: they
never touch a shared one. Every test names its keys under a unique ``redis_prefix``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.conftest import skip_without

URL_FILE = Path(__file__).resolve().parent.parent / ".infra" / "redis.url"
CLUSTER_URL_FILE = URL_FILE.with_name("redis-cluster.url")
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


def _ask(url: str, question: Callable[[redis.Redis], object]) -> object:
    """``question`` put to the server at ``url``; None when it cannot answer."""
    try:
        with redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1) as client:
            return question(client)
    except redis.RedisError:  # no server, or (CLUSTER INFO) one not in cluster mode
        return None


def is_cluster(url: str) -> bool:
    """Is the server at ``url`` a Redis Cluster node (to be used with a cluster client)?"""
    return _ask(url, lambda client: client.info("cluster").get("cluster_enabled")) == 1


def cluster_ok(url: str) -> bool:
    """Does the node at ``url`` belong to a cluster that serves all 16384 slots?"""
    state = _ask(url, lambda client: client.cluster("INFO")["cluster_state"])
    return state == "ok"


class RedisServer:
    """A redis-server on 127.0.0.1 with nothing kept on disk, owned by one test or session."""

    def __init__(
        self, port: int | None = None, data_dir: Path | None = None, args: Sequence[str] = ()
    ) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # With a data directory the server saves its data when stopped and loads it when
        # started again, as a Redis with persistence (or a failover replica) comes back.
        self.data_dir = data_dir
        self.args = list(args)  # more redis-server options
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
            [*command, *self.args, "--bind", "127.0.0.1", "--port", str(self.port)],
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


class RedisCluster:
    """Three redis-server masters in cluster mode on 127.0.0.1, slots split by redis-cli."""

    NODES = 3

    def __init__(self) -> None:
        ports: set[int] = set()
        while len(ports) < 2 * self.NODES:  # a client port and a bus port a node, all distinct
            ports.add(free_port())
        clients, buses = list(ports)[: self.NODES], list(ports)[self.NODES :]
        self._dir = Path(tempfile.mkdtemp(prefix="filmflare-redis-cluster-"))
        self.servers: list[RedisServer] = []
        for port, bus in zip(clients, buses, strict=True):
            # The bus port is named, not left at port + 10000: past 65535 for a high free port.
            cluster = ["--cluster-enabled", "yes", "--cluster-port", str(bus)]
            node_file = ["--cluster-config-file", str(self._dir / f"nodes-{port}.conf")]
            self.servers.append(RedisServer(port, args=[*cluster, *node_file]))
        self.url = self.servers[0].url

    @staticmethod
    def available() -> bool:
        return RedisServer.available() and shutil.which("redis-cli") is not None

    def start(self) -> None:
        try:
            for server in self.servers:
                server.start()
            # Every node a master, the 16384 slots split between them; its output is shown
            # by pytest if this fails.
            nodes = [f"127.0.0.1:{server.port}" for server in self.servers]
            create = ["redis-cli", "--cluster", "create", *nodes, "--cluster-replicas", "0"]
            subprocess.run([*create, "--cluster-yes"], check=True, timeout=60)
            deadline = time.monotonic() + 10
            while not all(cluster_ok(server.url) for server in self.servers):
                if time.monotonic() > deadline:
                    raise RuntimeError("the redis cluster did not reach cluster_state:ok")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


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


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    configured = os.environ.get("FILMFLARE_TEST_REDIS_CLUSTER_URL")
    if configured:
        yield configured
        return
    if CLUSTER_URL_FILE.exists() and cluster_ok(url := CLUSTER_URL_FILE.read_text().strip()):
        yield url
        return
    if not RedisCluster.available():
        skip_without(
            "redis cluster",
            "no FILMFLARE_TEST_REDIS_CLUSTER_URL, no healthy .infra/redis-cluster.url, "
            f"no redis-server or redis-cli; {INSTALL_HINT}",
        )
    cluster = RedisCluster()
    cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


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
