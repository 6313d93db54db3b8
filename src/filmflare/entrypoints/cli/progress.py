"""A progress bar on standard error, shown only to a person watching a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm


@contextmanager
def progress_bar(label: str, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A callback that advances the bar by its argument; silent when ``stream`` is no TTY."""
    out = stream if stream is not None else sys.stderr
    # The total is unknown: counting rows first would read the file twice.
    with tqdm(
        desc=label, unit=" rows", file=out, disable=not out.isatty(), mininterval=0.25
    ) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        yield advance
