"""uvicorn's httptools protocol with the limits of API.md (Limits), kept before any application.

- Header section: its bytes are counted as they arrive, before httptools buffers them, and its
  fields as they are parsed; past ``max_header_bytes`` or ``max_headers`` the answer is a 431
  problem and the connection is closed, so the application never sees the request.
- Header deadline: a connection that has not completed a header section within
  ``header_timeout_seconds`` of connecting, or of its previous response, is closed (after a 408
  when a request had begun).
- Connections: each worker holds at most ``max_connections``; a new one evicts the one idle the
  longest (``book``), or is refused with a 503 when every connection is busy. (uvicorn's own
  ``limit_concurrency`` answers 503 to every newcomer while an attacker holds the slots.)

A cache hit is answered in tens of microseconds, so the request path gets only counters. The
deadline is a time stored per response and checked by one timer per connection, re-armed when
it fires; it also does the job of uvicorn's keep-alive timeout (an idle connection closes
``timeout_keep_alive`` after its response), for which uvicorn arms and cancels a timer per
request. Everything else runs only at a limit.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections.abc import Callable
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from filmflare.entrypoints.http.server.book import ConnectionBook
from filmflare.entrypoints.http.server.limits import ServerLimits
from filmflare.entrypoints.http.server.refusals import REFUSED
from filmflare.entrypoints.http.server.responses import closing_problem

log = logging.getLogger("filmflare.http.server")
# A request line's bytes beside its URL ("OPTIONS " and " HTTP/1.1\r\n"), and each field's
# beside its name and value (": " and "\r\n"), to size a header section from its parts.
_REQUEST_LINE_BYTES = 19
_FIELD_BYTES = 4
_PROCESSING = -1.0  # ``_idle_since`` while a request is processed: no deadline runs
# One book per uvicorn server (its ServerState is shared by all its connections).
_BOOKS: weakref.WeakKeyDictionary[ServerState, ConnectionBook[LimitedHttpToolsProtocol]] = (
    weakref.WeakKeyDictionary()
)


class _Refused(Exception):
    """Stops the parser once a limit has answered; ``data_received`` expects it."""


def http_protocol(limits: ServerLimits) -> Callable[..., asyncio.Protocol]:
    """What uvicorn's ``http=`` takes; it pickles, limits and all, into spawned workers."""
    return functools.partial(LimitedHttpToolsProtocol, limits=limits)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: ServerLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        book = _BOOKS.get(server_state)
        if book is None:
            book = _BOOKS[server_state] = ConnectionBook(limits.max_connections)
        self.book = book
        # The bytes of the coming header section received so far, counted from the end of the
        # last message: exact while the section is incomplete, except that a section beginning
        # in the same data as the last message ended (pipelining) may have up to ``_slack``
        # more, which the parsed request line and fields measure.
        self._counting = True
        self._header_bytes = 0
        self._slack = 0
        self._data_bytes = 0  # the size of the data being parsed
        self._refused = False
        # Since when (loop time) the connection waits for a header section, and the timer
        # that checks it; ``_data_bytes`` is 0 until data arrives in that time.
        self._idle_since = _PROCESSING
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        # The first look after a response: at the keep-alive timeout or the deadline.
        self._idle_wait = min(self.timeout_keep_alive, limits.header_timeout_seconds)

    # Connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self.book.admit(self):
            REFUSED["all_busy"] += 1
            self._answer_and_close(503, "every connection of this server is busy; retry")
            return
        self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        super().connection_lost(exc)

    def evict(self) -> None:
        REFUSED["evicted"] += 1
        log.debug("closed an idle connection to make room for a new one")
        self._forget()
        self.transport.close()

    def handle_websocket_upgrade(self) -> None:
        # The connection passes to another protocol, which will not tell this one it closed.
        self._forget()
        super().handle_websocket_upgrade()

    # Parsing: uvicorn's, with the header section counted

    def data_received(self, data: bytes) -> None:
        self._data_bytes = len(data)
        if self._counting:
            self._header_bytes += self._data_bytes
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._refused:  # a limit stopped the parser and has answered
                return
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._counting and self._incomplete_section_over():
            self._refuse("header_bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.headers) >= self.limits.max_headers:
            self._refuse("header_fields")
            raise _Refused
        # uvicorn's, inline: this runs for every field of every request.
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._counting = False
        # The count may hold the start of the body too: past the limit, measure the section.
        limit = self.limits.max_header_bytes
        if self._header_bytes + self._slack > limit and self._section_bytes() > limit:
            self._refuse("header_bytes")
            raise _Refused
        self._header_bytes = self._slack = 0
        self._idle_since = _PROCESSING
        self.book.busy(self)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._counting = True
        self._slack = self._data_bytes  # the next section may begin in what is left of the data

    def on_response_complete(self) -> None:
        """uvicorn's, with the deadline in place of its keep-alive timer."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:  # the next request starts: still busy
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self.book.idle(self)
        self._idle_since = now = self.loop.time()
        self._data_bytes = 0
        if self._timer is None or self._timer_at > now + self._idle_wait:
            self._check_in(self._idle_wait)

    # Header section size

    def _incomplete_section_over(self) -> bool:
        """Whether the header section under way, not complete yet, is over the limit already.

        All the data counted since the last message was header: a count over the limit is
        final. A section that began where the last message ended is measured by its parts.
        """
        limit = self.limits.max_header_bytes
        if self._header_bytes + self._slack <= limit:
            return False
        return self._header_bytes > limit or self._section_bytes() > limit

    def _section_bytes(self) -> int:
        """The size of the header section parsed so far, from its request line and fields."""
        fields = sum(len(name) + len(value) for name, value in self.headers)
        return _REQUEST_LINE_BYTES + len(self.url) + fields + _FIELD_BYTES * len(self.headers)

    def _refuse(self, reason: str) -> None:
        """Answer 431 for a header section over a limit, and close."""
        REFUSED[reason] += 1
        self._refused = True
        if reason == "header_fields":
            detail = f"a request may have at most {self.limits.max_headers} header fields"
        else:
            detail = (
                f"a request's header section may be at most {self.limits.max_header_bytes} bytes"
            )
        self._answer_and_close(431, detail)

    # Header deadline

    def _start_deadline(self) -> None:
        self._idle_since = self.loop.time()
        self._check_in(self.limits.header_timeout_seconds)

    def _check_in(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_later(seconds, self._check_deadline)
        self._timer_at = self.loop.time() + seconds

    def _check_deadline(self) -> None:
        self._timer = None
        if self._idle_since == _PROCESSING or self.transport.is_closing():
            return  # the end of the response arms it again
        # Nothing arrived since the last response: uvicorn's keep-alive timeout applies.
        kept_alive = self.cycle is not None and self._data_bytes == self._header_bytes == 0
        seconds = self.timeout_keep_alive if kept_alive else self.limits.header_timeout_seconds
        left = self._idle_since + seconds - self.loop.time()
        if left > 0:
            self._check_in(left)
            return
        if not kept_alive:  # the end of an idle keep-alive connection is no refusal
            REFUSED["header_timeout"] += 1
        if self._header_bytes > 0:  # a request has begun: say why it ends
            self._answer_and_close(408, f"a request's headers must arrive within {seconds:g} s")
        else:
            self._forget()
            self.transport.close()

    # Closing

    def _forget(self) -> None:
        self.book.drop(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _answer_and_close(self, status: int, detail: str) -> None:
        self._forget()
        log.debug("answered %d and closed the connection: %s", status, detail)
        self.transport.write(closing_problem(status, detail, self.server_state.default_headers))
        self.transport.close()
