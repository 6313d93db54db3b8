"""Keep-alive connections to every worker process of one ``filmflare serve``.

The workers share one listening socket and the kernel hands each new connection to one of
them, so a test opens connections until each worker holds at least one; which worker holds
which is read from ``/proc`` (the socket inodes of each worker's file descriptors against
the TCP table). Linux only, loopback only.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.system.api_process import ApiProcess

_SOCKET = re.compile(r"socket:\[(\d+)\]")
MAX_CONNECTIONS = 400


def worker_pids(supervisor: int) -> list[int]:
    """The worker processes uvicorn's supervisor spawned (not multiprocessing's helper)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found = _SOCKET.fullmatch(os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
        if found:
            inodes.add(int(found[1]))
    return inodes


def _server_side(port: int) -> dict[int, int]:
    """Remote (client) port -> socket inode, for the accepted connections to ``port``."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == port:
            found[int(remote.split(":")[1], 16)] = inode
    return found


@dataclass
class WorkerConnection:
    pid: int
    connection: http.client.HTTPConnection

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        sent = {"Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, path, body=data, headers=sent | (headers or {}))
        response = self.connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None


def connect_to_every_worker(api: ApiProcess) -> list[WorkerConnection]:
    """At least one open connection to each worker; close them with ``close_all``."""
    pids = worker_pids(api.pid)
    assert len(pids) == api.workers, f"expected {api.workers} workers, found {pids}"
    inodes = {pid: _socket_inodes(pid) for pid in pids}
    held: list[WorkerConnection] = []
    deadline = time.monotonic() + 30
    while {c.pid for c in held} != set(pids):
        assert len(held) < MAX_CONNECTIONS, "a worker took no connection"
        assert time.monotonic() < deadline, "a worker took no connection in time"
        connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
        connection.connect()
        connection.request("GET", "/healthz")  # answered once a worker has accepted it
        connection.getresponse().read()
        assert connection.sock is not None
        client_port = connection.sock.getsockname()[1]
        inode = _server_side(api.port)[client_port]
        owner = [pid for pid in pids if inode in inodes[pid]]
        if not owner:  # inodes of sockets accepted since we last looked
            inodes = {pid: _socket_inodes(pid) for pid in pids}
            owner = [pid for pid in pids if inode in inodes[pid]]
        held.append(WorkerConnection(owner[0], connection))
    return held


def one_per_worker(held: list[WorkerConnection]) -> Iterator[WorkerConnection]:
    seen: set[int] = set()
    for worker in held:
        if worker.pid not in seen:
            seen.add(worker.pid)
            yield worker


def close_all(held: list[WorkerConnection]) -> None:
    for worker in held:
        worker.connection.close()
