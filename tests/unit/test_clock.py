"""The system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from filmflare.adapters.clock import SystemClock


def test_now_is_utc_in_whole_milliseconds() -> None:
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)
    assert now.microsecond % 1000 == 0
    assert before <= now <= after
