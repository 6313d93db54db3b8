"""Structured logs: JSON lines when stderr is not a terminal, readable text when it is.

Every record carries the id of the request being served (``request_id``), so an error logged
deep in a use case can be tied to its access log line.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time
from datetime import UTC, datetime
from typing import TextIO

import orjson

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "filmflare_request_id", default=None
)
# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then every extra field.

    It runs once per request (the access line), so the timestamp's date and time are
    formatted once per second and only the milliseconds per record.
    """

    _second = -1
    _stamp = ""

    def _time(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._stamp}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _STANDARD and value is not None
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return self.line(
            record.created, record.levelname.lower(), record.name, record.getMessage(), fields
        )

    def line(
        self, created: float, level: str, logger: str, message: str, fields: dict[str, object]
    ) -> str:
        """The line of a record with these attributes and ``extra`` fields."""
        entry: dict[str, object] = {
            "time": self._time(created),
            "level": level,
            "logger": logger,
            "message": message,
            **fields,
        }
        return orjson.dumps(entry, default=str).decode()


_family = logging.getLogger("filmflare")
_access = logging.getLogger("filmflare.access")
# The JSON handler ``configure`` installed, which ``access_line`` may write to directly.
_json_handler: logging.StreamHandler[TextIO] | None = None


def access_line(request_id: str, method: str, path: str, status: int, seconds: float) -> None:
    """Log one request on ``filmflare.access``, with its fields as ``extra``.

    When ``configure`` has set up JSON lines and nothing else listens to the access logger,
    the line is written as that handler would write it, without a ``LogRecord``: the
    record, its handler chain and formatter cost as much as answering a cache hit. Otherwise
    (a terminal, a test capturing records, another handler) it goes through ``logging``.
    """
    if not _access.isEnabledFor(logging.INFO):  # then the line is not even built
        return
    duration_ms = round(seconds * 1000, 2)
    fields: dict[str, object] = {
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
    }
    handler = _json_handler
    if (
        handler is not None
        and _family.handlers == [handler]
        and not _access.handlers
        and not _access.filters
        and _access.propagate
        and not _family.filters
        and handler.level <= logging.INFO
    ):
        formatter = handler.formatter
        assert isinstance(formatter, JsonFormatter)
        message = f"{method} {path} {status:d} {duration_ms:.2f}ms"
        line = formatter.line(time.time(), "info", _access.name, message, fields)
        if _write(handler, line):
            return
        # A failed write goes through logging, which reports it; the request goes on.
    _access.info("%s %s %d %.2fms", method, path, status, duration_ms, extra=fields)


def _write(handler: logging.StreamHandler[TextIO], line: str) -> bool:
    """Write ``line`` as ``handler.emit`` would; False if the stream failed."""
    with handler.lock or contextlib.nullcontext():
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        except Exception:
            return False
    return True


def configure(level: str = "info") -> None:
    """Send the ``filmflare`` loggers to stderr (idempotent; called once per process)."""
    # No record of ours shows the caller's file and line, thread or process: skip gathering
    # them (the logging HOWTO's "Optimization"), a third of an access line's cost.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    global _json_handler
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
        _json_handler = None
    else:
        handler.setFormatter(JsonFormatter())
        _json_handler = handler
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("filmflare")
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
