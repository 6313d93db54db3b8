"""Progress off a terminal: a log line every few seconds with the rate and the time left."""

from __future__ import annotations

import io

from filmflare.entrypoints.cli.progress import LOG_EVERY, progress_bar


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_a_line_every_few_seconds() -> None:
    out, clock = io.StringIO(), Clock()
    with progress_bar("importing", 50_000, "lines", stream=out, clock=clock) as advance:
        advance(1_000)
        assert out.getvalue() == ""  # not yet: less than LOG_EVERY has passed
        clock.now = LOG_EVERY
        advance(11_500)
        clock.now = LOG_EVERY + 1
        advance(500)  # too soon after the last line
        clock.now = 2 * LOG_EVERY
        advance(12_000)
        clock.now = 2 * LOG_EVERY + 1
        advance(2_500)
    assert out.getvalue().splitlines() == [
        "importing: 12,500/50,000 lines, 2,500 lines/s, ~15 s left",
        "importing: 25,000/50,000 lines, 2,500 lines/s, ~10 s left",
        "importing: 27,500/50,000 lines, 2,500 lines/s, ~9 s left",  # the last count
    ]


def test_without_a_total_and_quick_there_is_nothing_to_say() -> None:
    out, clock = io.StringIO(), Clock()
    with progress_bar("exporting", stream=out, clock=clock) as advance:
        advance(10)
    assert out.getvalue() == ""
    with progress_bar("exporting", stream=out, clock=clock) as advance:
        clock.now += LOG_EVERY
        advance(10)
    assert out.getvalue() == "exporting: 10 rows, 2 rows/s\n"
