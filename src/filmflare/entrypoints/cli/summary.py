"""The closing report of an import: what went in, and why each rejected row did not."""

from __future__ import annotations

from typing import TextIO

from filmflare.application.import_movies import ImportReport

SHOWN_REJECTIONS = 50


def print_summary(
    report: ImportReport, source: str, out: TextIO, limit: int = SHOWN_REJECTIONS
) -> None:
    rejected = report.rejected
    print(f"{source}: {_rows(report.taken)} taken, {_rows(len(rejected))} rejected", file=out)
    for line, reason in rejected[:limit]:
        print(f"  line {line}: {reason}", file=out)
    if len(rejected) > limit:
        print(f"  … and {len(rejected) - limit} more", file=out)


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")
