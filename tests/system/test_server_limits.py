"""A real ``filmflare serve`` process against hostile clients, over real sockets (API.md, Limits).

Each test opens raw TCP connections to 127.0.0.1 and is bounded in count and time: huge header
sections are refused within a second without the worker's memory growing; 20,000 half-open
connections held by other processes do not keep ``/healthz`` from answering; a stalled header
section is cut off at the header timeout; a client leaving mid-body is no server error.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http.conftest import SECRET, bearer
from tests.system.api_process import ApiProcess, running

pytestmark = pytest.mark.slow
HEADER_TIMEOUT = 1.0
HALF_OPEN = 20_000
ATTACKERS = 4  # processes holding them, each from its own loopback address
HEALTH_CHECKS = 50
HALF_OPEN_SCRIPT = Path(__file__).with_name("half_open.py")
_SERVER_ERRORS = re.compile(r'^filmflare_http_requests_total\{.*status="5\d\d".*$', re.M)
_CLIENT_CLOSED = re.compile(r'^filmflare_http_requests_total\{.*status="499".*\} (\S+)$', re.M)


def settings(data_dir: Path, **more: str) -> dict[str, str]:
    return {
        "FILMFLARE_DATA_DIR": str(data_dir),
        "FILMFLARE_JWT_SECRET": SECRET,
        "FILMFLARE_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        **more,
    }


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    workdir = tmp_path_factory.mktemp("limits")
    with running(ApiProcess(workdir, settings(workdir / "data"))) as (api,):
        yield api


def exchange(api: ApiProcess, data: bytes, timeout: float = 5.0) -> tuple[bytes, float]:
    """Send ``data`` on a new connection and read until the server closes it: what came back,
    and the seconds from connecting to the close. A server that keeps the connection open
    past ``timeout`` fails the test."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", api.port), timeout=timeout) as connection:
        with contextlib.suppress(OSError):  # the server may close before it has read it all
            connection.sendall(data)
        answer = bytearray()
        while True:
            try:
                chunk = connection.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            except TimeoutError:
                pytest.fail(f"the connection was still open after {timeout} s: {answer[:200]!r}")
            if not chunk:
                break
            answer += chunk
    return bytes(answer), time.monotonic() - started


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def spawned_workers(supervisor: int) -> list[int]:
    """The worker processes uvicorn's supervisor spawned (not multiprocessing's helper)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def refused_or_closed(answer: bytes) -> bool:
    return answer == b"" or answer.startswith(b"HTTP/1.1 431 ")


def test_huge_header_sections_are_refused_at_once_without_growing_the_worker(
    api: ApiProcess,
) -> None:
    for _ in range(20):  # warm up, so that what is measured is the refusals
        assert httpx.get(f"{api.url}/healthz", timeout=5).status_code == 200
    before = rss_kib(api.pid)
    big_field = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2_000_000 + b"\r\n\r\n"
    many_fields = (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-%d: v\r\n" % i for i in range(20_000))
        + b"\r\n"
    )

    for data in (big_field, many_fields):
        answer, seconds = exchange(api, data)
        assert refused_or_closed(answer), answer[:200]
        assert seconds < 1.0

    assert rss_kib(api.pid) - before < 4 * 1024
    assert httpx.get(f"{api.url}/healthz", timeout=5).status_code == 200


def test_a_431_is_a_problem_and_the_app_never_sees_the_request(api: ApiProcess) -> None:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(101))
    answer, _ = exchange(api, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 ")
    assert b"content-type: application/problem+json" in head
    assert b"connection: close" in head
    assert b'"status":431' in body
    assert b"x-request-id" not in head  # answered before the app
    metrics = httpx.get(f"{api.url}/metrics", timeout=5).text
    assert 'filmflare_http_connections_refused_total{reason="header_fields"}' in metrics


def test_a_stalled_header_section_is_cut_off_at_the_header_timeout(api: ApiProcess) -> None:
    answer, seconds = exchange(api, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ")

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert HEADER_TIMEOUT * 0.9 < seconds < HEADER_TIMEOUT + 1.5


def test_a_client_leaving_mid_body_is_no_server_error(api: ApiProcess) -> None:
    head = (
        b"POST /movies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + b"Authorization: "
        + bearer()["Authorization"].encode()
        + b"\r\nContent-Length: 1000\r\n\r\n"
    )
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", api.port), timeout=5) as connection:
            connection.sendall(head + b'{"title": "Half')
            time.sleep(0.2)  # the route is reading the body when the client goes

    metrics = ""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        metrics = httpx.get(f"{api.url}/metrics", timeout=5).text
        counted = _CLIENT_CLOSED.search(metrics)
        if counted and float(counted[1]) >= 3:
            break
        time.sleep(0.1)
    assert _CLIENT_CLOSED.search(metrics), metrics
    assert not _SERVER_ERRORS.findall(metrics)
    assert "Traceback" not in api.log.read_text()


@contextlib.contextmanager
def half_open_connections(api: ApiProcess, count: int) -> Iterator[int]:
    """``count`` connections held open by other processes, each with half a request sent;
    yields how many connected (a server out of descriptors lets fewer connect)."""
    each = count // ATTACKERS
    attackers = [
        subprocess.Popen(
            [sys.executable, str(HALF_OPEN_SCRIPT), str(api.port), str(each), f"127.0.0.{2 + n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(ATTACKERS)
    ]
    try:
        opened = 0
        for attacker in attackers:
            assert attacker.stdout is not None
            opened += int(attacker.stdout.readline().split()[0])
        yield opened
    finally:
        for attacker in attackers:
            assert attacker.stdin is not None
            attacker.stdin.close()
        for attacker in attackers:
            attacker.wait(timeout=30)


def test_half_open_connections_do_not_lock_out_other_clients(tmp_path: Path) -> None:
    # A header timeout far beyond the test: what saves the server here is the connection bound.
    limits = settings(tmp_path / "data", FILMFLARE_HEADER_TIMEOUT_SECONDS="120")
    with (
        running(ApiProcess(tmp_path, limits)) as (api,),
        half_open_connections(api, HALF_OPEN) as opened,
    ):
        with httpx.Client(timeout=2) as client:
            for attempt in range(1, HEALTH_CHECKS + 1):
                try:  # a new connection each time, as a load balancer's health check opens
                    response = client.get(f"{api.url}/healthz", headers={"Connection": "close"})
                except httpx.HTTPError as error:
                    pytest.fail(f"health check {attempt} of {HEALTH_CHECKS} failed: {error!r}")
                assert response.status_code == 200
        metrics = httpx.get(f"{api.url}/metrics", timeout=5).text
    assert opened == HALF_OPEN
    evicted = re.search(r'refused_total\{reason="evicted"\} (\S+)', metrics)
    assert evicted is not None
    assert float(evicted[1]) >= HALF_OPEN - 1000


def test_spawned_workers_keep_the_limits_too(tmp_path: Path) -> None:
    with running(ApiProcess(tmp_path, settings(tmp_path / "data"), workers=2)) as (api,):
        assert len(spawned_workers(api.pid)) == 2
        fields = b"".join(b"X-%d: v\r\n" % i for i in range(101))
        for _ in range(10):  # the kernel spreads new connections over both workers
            answer, seconds = exchange(api, b"GET /healthz HTTP/1.1\r\n" + fields + b"\r\n")
            assert answer.startswith(b"HTTP/1.1 431 ")
            assert seconds < 1.0
        answer, _ = exchange(api, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ")
        assert answer.startswith(b"HTTP/1.1 408 ")
