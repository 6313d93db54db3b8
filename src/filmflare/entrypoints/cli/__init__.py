"""The ``filmflare`` command line: serve, init, import, export, seed, reindex and token."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``filmflare`` with ``argv`` (the process's arguments when None); returns the status.

    The composition root is imported only here, so the readers and the catalog mapping in
    this package load without every adapter behind them.
    """
    from filmflare.entrypoints.cli.runner import run

    return run(argv)


__all__ = ["main"]
