"""Progress of a long command on standard error: a bar with its rate and time left for a
person at a terminal (tqdm), a line every few seconds for a log (a pipe, a CI job, a pod)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

LOG_EVERY = 5.0  # seconds between two log lines


@contextmanager
def progress_bar(
    label: str,
    total: int | None = None,
    unit: str = "rows",
    stream: TextIO | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Callable[[int], None]]:
    """A callback that advances the progress by its argument, out of ``total`` when known."""
    out = stream if stream is not None else sys.stderr
    if out.isatty():
        with tqdm(desc=label, total=total, unit=f" {unit}", file=out, mininterval=0.25) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            yield advance
        return
    lines = _LogLines(label, total, unit, out, clock)
    yield lines.advance
    lines.finish()


class _LogLines:
    """``label: 12,500/50,000 rows, 2,480 rows/s, ~15 s left``, at most every ``LOG_EVERY``."""

    def __init__(
        self, label: str, total: int | None, unit: str, out: TextIO, clock: Callable[[], float]
    ) -> None:
        self._label, self._total, self._unit, self._out, self._clock = (
            label,
            total,
            unit,
            out,
            clock,
        )
        self._done = self._reported = 0
        self._started = self._logged = clock()

    def advance(self, count: int) -> None:
        self._done += count
        if self._clock() - self._logged >= LOG_EVERY:
            self._log()

    def finish(self) -> None:
        """The last count, unless the last line said it or the command was quick."""
        if self._done != self._reported and self._clock() - self._started >= LOG_EVERY:
            self._log()

    def _log(self) -> None:
        now = self._clock()
        self._logged, self._reported = now, self._done
        rate = self._done / max(now - self._started, 1e-9)
        done = f"{self._done:,}" + (f"/{self._total:,}" if self._total is not None else "")
        line = f"{self._label}: {done} {self._unit}, {rate:,.0f} {self._unit}/s"
        if self._total is not None and rate > 0 and self._done < self._total:
            line += f", ~{_duration((self._total - self._done) / rate)} left"
        print(line, file=self._out, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
