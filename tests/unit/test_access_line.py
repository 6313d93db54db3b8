"""The access line: written straight to the JSON handler when nothing else listens, exactly
as ``logging`` would write it, and through ``logging`` otherwise."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import orjson
import pytest

from filmflare.entrypoints.http import logs

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """``logs.configure`` on a captured, non-terminal stderr; the loggers put back after."""
    family = logging.getLogger("filmflare")
    saved = (list(family.handlers), family.level, family.propagate, logs._json_handler)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    logs.configure("info")
    yield stream
    family.handlers[:] = saved[0]
    family.setLevel(saved[1])
    family.propagate = saved[2]
    logs._json_handler = saved[3]


def alone() -> logging.Handler:
    """Leave the JSON handler alone on the ``filmflare`` logger (pytest's capture handlers
    listen there during a test), and return it."""
    handler = logs._json_handler
    assert handler is not None
    logging.getLogger("filmflare").handlers[:] = [handler]
    return handler


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


def test_the_direct_line_is_the_line_logging_writes(stderr: io.StringIO) -> None:
    records: list[logging.LogRecord] = []

    def count(record: logging.LogRecord) -> bool:
        records.append(record)
        return True

    alone().addFilter(count)

    logs.access_line("rid-1", "GET", "/movies", 200, 0.0012345)
    assert records == []  # no LogRecord was made
    logging.getLogger("filmflare.access").info(
        "%s %s %d %.2fms",
        "GET",
        "/movies",
        200,
        1.23,
        extra={
            "request_id": "rid-1",
            "method": "GET",
            "path": "/movies",
            "status": 200,
            "duration_ms": 1.23,
        },
    )

    assert len(records) == 1
    direct, through_logging = lines(stderr)
    assert list(direct) == list(through_logging)  # the same keys in the same order
    assert {**direct, "time": None} == {**through_logging, "time": None}
    assert direct["message"] == "GET /movies 200 1.23ms"
    assert TIME.fullmatch(str(direct["time"]))


def test_a_listener_of_its_own_gets_a_record(
    stderr: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="filmflare.access"):
        logs.access_line("rid-2", "POST", "/movies", 201, 0.5)

    (record,) = [r for r in caplog.records if r.name == "filmflare.access"]
    assert (record.request_id, record.status, record.duration_ms) == ("rid-2", 201, 500.0)  # type: ignore[attr-defined]
    assert [line["request_id"] for line in lines(stderr)] == ["rid-2"]


def test_above_info_no_line_is_written(stderr: io.StringIO) -> None:
    logs.configure("warning")
    alone()
    logs.access_line("rid-3", "GET", "/healthz", 200, 0.001)

    assert stderr.getvalue() == ""


def test_a_stream_that_fails_is_reported_by_logging(
    stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[logging.LogRecord] = []
    handler = alone()
    monkeypatch.setattr(handler, "handleError", reported.append)
    monkeypatch.setattr(stderr, "write", lambda text: 1 / 0)

    logs.access_line("rid-4", "GET", "/genres", 200, 0.001)  # no exception

    assert [r.request_id for r in reported] == ["rid-4"]  # type: ignore[attr-defined]
