"""The HTTP server's limits (``entrypoints/http/server``), driven without sockets.

A protocol gets bytes as the event loop would hand them over and writes to a transport that
records what it was given; the application records what reached it. The same limits on a real
server process, over real sockets, are in ``tests/system/test_server_limits.py``.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import resource
from pathlib import Path
from typing import Any

import orjson
import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from filmflare.bootstrap import build
from filmflare.config import Settings
from filmflare.entrypoints.cli.parser import build_parser, parse
from filmflare.entrypoints.cli.serve import server_options
from filmflare.entrypoints.http.server.book import ConnectionBook
from filmflare.entrypoints.http.server.limits import ServerLimits
from filmflare.entrypoints.http.server.open_files import RESERVED, raise_open_files_limit
from filmflare.entrypoints.http.server.protocol import LimitedHttpToolsProtocol, http_protocol
from filmflare.entrypoints.http.server.refusals import REFUSED
from filmflare.entrypoints.http.server.responses import closing_problem

pytestmark = pytest.mark.anyio
LIMITS = ServerLimits(
    max_connections=3, max_header_bytes=1024, max_headers=10, header_timeout_seconds=0.2
)
GET = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"


class Transport(asyncio.Transport):
    """Records what the protocol writes, and whether it closed the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def status(self) -> int:
        return int(bytes(self.written).split(b" ", 2)[1])

    def problem(self) -> dict[str, Any]:
        head, _, body = bytes(self.written).partition(b"\r\n\r\n")
        assert b"content-type: application/problem+json" in head
        assert b"connection: close" in head
        parsed: dict[str, Any] = orjson.loads(body)
        return parsed


class Server:
    """One uvicorn server's shared state, an app that records the paths it is asked for and
    answers 200 (or waits for ``release`` first, to stay busy), and its connections."""

    def __init__(self, limits: ServerLimits = LIMITS) -> None:
        self.limits = limits
        self.state = ServerState()
        self.seen: list[str] = []
        self.release = asyncio.Event()
        self.release.set()
        self.config = Config(
            app=self.app,
            interface="asgi3",
            loop="none",
            http="httptools",
            proxy_headers=False,
            access_log=False,
            timeout_keep_alive=1,
        )
        self.config.load()

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        self.seen.append(scope["path"])
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def connect(self) -> tuple[LimitedHttpToolsProtocol, Transport]:
        loop = asyncio.get_running_loop()
        protocol = LimitedHttpToolsProtocol(self.config, self.state, {}, loop, limits=self.limits)
        transport = Transport()
        protocol.connection_made(transport)
        return protocol, transport


class Added:
    """The refusals counted since it was made, by reason."""

    def __init__(self) -> None:
        self._before = dict(REFUSED)

    def __getitem__(self, reason: str) -> int:
        return REFUSED[reason] - self._before[reason]


@pytest.fixture
def refused() -> Added:
    return Added()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def request(*fields: bytes, body: bytes = b"") -> bytes:
    head = b"POST /movies HTTP/1.1\r\nHost: test\r\n" if body else b"GET /healthz HTTP/1.1\r\n"
    length = [b"Content-Length: %d" % len(body)] if body else []
    return head + b"".join(f + b"\r\n" for f in [*length, *fields]) + b"\r\n" + body


async def test_a_request_within_the_limits_reaches_the_app() -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(request(*[b"X-%d: v" % i for i in range(9)]))
    await settle()

    assert server.seen == ["/healthz"]
    assert transport.status() == 200
    assert not transport.closed


async def test_a_header_section_over_the_bytes_is_431_even_sent_a_byte_at_a_time() -> None:
    server = Server()
    protocol, transport = server.connect()

    data = b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 4000
    for index in range(len(data)):
        if transport.closed:
            break
        protocol.data_received(data[index : index + 1])
    await settle()

    assert transport.closed
    assert index <= LIMITS.max_header_bytes + 1  # nothing was buffered past the limit
    assert transport.status() == 431
    assert transport.problem()["type"].endswith("/request-headers-too-large")
    assert server.seen == []


async def test_a_header_section_over_the_bytes_in_one_piece_is_431(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = Server()
    protocol, transport = server.connect()

    with caplog.at_level(logging.WARNING):
        protocol.data_received(request(b"X-Big: " + b"a" * 2000))
        await settle()

    assert transport.status() == 431
    assert server.seen == []
    assert not caplog.records  # a refusal is counted, not logged as uvicorn's invalid request


async def test_more_fields_than_allowed_is_431() -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(request(*[b"X-%d: v" % i for i in range(11)]))
    await settle()

    assert transport.status() == 431
    assert "10 header fields" in transport.problem()["detail"]
    assert server.seen == []


async def test_a_body_arriving_with_the_headers_does_not_count_as_headers() -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(request(body=b"x" * 5000))  # one piece, five times the limit
    await settle()

    assert server.seen == ["/movies"]
    assert transport.status() == 200


async def test_a_pipelined_request_after_a_body_is_measured_too() -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(request(body=b"x" * 5000) + b"GET /next HTTP/1.1\r\nX-Big: a")
    protocol.data_received(b"a" * 2000)  # the second section, already over the limit
    await settle()

    assert server.seen == ["/movies"]
    assert transport.closed
    assert b"431 Request Header Fields Too Large" in transport.written


async def test_pipelined_requests_are_answered_in_order() -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(GET.replace(b"/healthz", b"/one") + GET.replace(b"/healthz", b"/two"))
    await settle()

    assert server.seen == ["/one", "/two"]
    assert bytes(transport.written).count(b"HTTP/1.1 200 OK") == 2
    assert not transport.closed


async def test_keep_alive_requests_each_get_the_whole_allowance() -> None:
    server = Server()
    protocol, transport = server.connect()
    section = request(b"X-Big: " + b"a" * 900)  # under the limit; two would be over it

    for _ in range(3):
        protocol.data_received(section)
        await settle()

    assert server.seen == ["/healthz"] * 3
    assert not transport.closed


async def test_a_header_section_not_complete_in_time_is_408_and_closed(
    refused: Added,
) -> None:
    server = Server()
    protocol, transport = server.connect()

    protocol.data_received(b"GET /healthz HTTP/1.1\r\nHost: te")
    await asyncio.sleep(LIMITS.header_timeout_seconds + 0.1)

    assert transport.closed
    assert transport.status() == 408
    assert server.seen == []
    protocol.connection_lost(None)
    assert refused["header_timeout"] == 1


async def test_a_connection_that_sends_nothing_is_closed_at_the_header_timeout(
    refused: Added,
) -> None:
    server = Server()
    _, transport = server.connect()

    await asyncio.sleep(LIMITS.header_timeout_seconds + 0.1)

    assert transport.closed
    assert transport.written == b""
    assert refused["header_timeout"] == 1


async def test_the_deadline_restarts_after_each_response() -> None:
    server = Server()
    protocol, transport = server.connect()

    for _ in range(3):  # together longer than the timeout, each well within it
        await asyncio.sleep(LIMITS.header_timeout_seconds / 2)
        protocol.data_received(GET)
        await settle()

    assert server.seen == ["/healthz"] * 3
    assert not transport.closed


async def test_an_idle_keep_alive_connection_closes_after_uvicorns_keep_alive_timeout(
    refused: Added,
) -> None:
    server = Server(ServerLimits(3, 1024, 10, header_timeout_seconds=60))
    protocol, transport = server.connect()
    protocol.data_received(GET)
    await settle()

    await asyncio.sleep(server.config.timeout_keep_alive + 0.1)

    assert transport.closed
    assert refused["header_timeout"] == 0  # the usual end of a keep-alive connection


async def test_a_request_being_processed_has_no_header_deadline() -> None:
    server = Server()
    server.release.clear()
    protocol, transport = server.connect()
    protocol.data_received(GET)

    await asyncio.sleep(LIMITS.header_timeout_seconds + 0.1)
    assert not transport.closed
    server.release.set()
    await settle()

    assert transport.status() == 200


async def test_at_the_limit_a_new_connection_closes_the_longest_idle_one(
    refused: Added,
) -> None:
    server = Server()
    first, first_transport = server.connect()
    _, second_transport = server.connect()
    _, third_transport = server.connect()
    first.data_received(GET)  # answered: idle again, now after the other two
    await settle()

    _, fourth_transport = server.connect()

    assert second_transport.closed
    assert [t.closed for t in (first_transport, third_transport, fourth_transport)] == [False] * 3
    assert refused["evicted"] == 1


async def test_busy_connections_are_never_evicted_and_a_newcomer_then_gets_503(
    refused: Added,
) -> None:
    server = Server()
    server.release.clear()
    held = [server.connect() for _ in range(LIMITS.max_connections)]
    for protocol, _ in held:
        protocol.data_received(GET)
    await settle()

    _, transport = server.connect()

    assert transport.closed
    assert transport.status() == 503
    assert b"retry-after: 5" in transport.written
    assert not any(t.closed for _, t in held)
    assert refused["all_busy"] == 1
    server.release.set()
    await settle()
    assert all(t.status() == 200 for _, t in held)


async def test_a_closed_connection_leaves_room() -> None:
    server = Server()
    server.release.clear()
    held = [server.connect() for _ in range(LIMITS.max_connections)]
    for protocol, _ in held:
        protocol.data_received(GET)
    await settle()
    held[0][0].connection_lost(None)

    _, transport = server.connect()

    assert not transport.closed
    server.release.set()
    await settle()


class Named:
    def __init__(self, name: str) -> None:
        self.name = name
        self.evicted = False

    def evict(self) -> None:
        self.evicted = True


def test_the_book_evicts_in_the_order_connections_became_idle() -> None:
    book: ConnectionBook[Named] = ConnectionBook(limit=2)
    a, b, c, d = Named("a"), Named("b"), Named("c"), Named("d")
    assert book.admit(a)
    assert book.admit(b)
    book.busy(a)
    book.idle(a)  # now idle after b

    assert book.admit(c)
    assert (a.evicted, b.evicted) == (False, True)
    book.busy(a)
    book.busy(c)
    assert not book.admit(d)  # every connection busy
    book.drop(a)
    book.drop(a)  # twice is harmless
    assert book.admit(d)
    assert len(book) == 2


def test_serve_hands_uvicorn_the_protocol_with_the_configured_limits(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        max_connections=7,
        max_header_bytes=2048,
        max_headers=20,
        header_timeout_seconds=3,
    )

    options = server_options(build(settings), parse(build_parser(), ["serve"]))

    assert options["loop"] == "uvloop"
    assert options["http"].func is LimitedHttpToolsProtocol
    assert options["http"].keywords == {"limits": ServerLimits(7, 2048, 20, 3.0)}


def test_the_protocol_factory_pickles_for_spawned_workers() -> None:
    factory = pickle.loads(pickle.dumps(http_protocol(LIMITS)))  # noqa: S301 (our own bytes)

    assert factory.keywords == {"limits": LIMITS}
    assert factory.func is LimitedHttpToolsProtocol


def test_a_closing_problem_is_a_complete_response() -> None:
    raw = closing_problem(431, "too large", [(b"date", b"Thu, 01 Jan 2026 00:00:00 GMT")])

    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert b"content-length: %d" % len(body) in lines
    assert orjson.loads(body)["detail"] == "too large"


def test_the_open_file_limit_is_raised_to_the_hard_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(soft, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        with caplog.at_level(logging.WARNING, logger="filmflare.serve"):
            now = raise_open_files_limit(64)
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == now >= min(hard, 64 + RESERVED)
        assert not caplog.records
        with caplog.at_level(logging.WARNING, logger="filmflare.serve"):
            raise_open_files_limit(10**9)  # more than any hard limit
        assert "FILMFLARE_MAX_CONNECTIONS" in caplog.text
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
