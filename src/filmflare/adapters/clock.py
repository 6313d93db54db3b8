"""The real clock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """UTC wall-clock time, truncated to whole milliseconds.

    Stores keep timestamps as RFC 3339 text with milliseconds (or as epoch milliseconds), so
    a time with microseconds would come back different from what was written.
    """

    def now(self) -> datetime:
        moment = datetime.now(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
