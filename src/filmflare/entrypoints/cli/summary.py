"""The closing report of an import: what went in, and why each rejected row did not."""

from __future__ import annotations

from typing import TextIO

from filmflare.application.import_movies import ImportReport

SHOWN_REJECTIONS = 50


def print_summary(
    report: ImportReport, source: str, out: TextIO, limit: int = SHOWN_REJECTIONS
) -> None:
    if report.resumed_after is not None:
        print(
            f"{source}: resumed after line {report.resumed_after:,}, where an earlier run of"
            " this file had committed (--restart starts over)",
            file=out,
        )
    rejected = report.rejected
    counts = [
        f"{_rows(report.created)} created",
        f"{report.updated:,} updated",
        f"{report.unchanged:,} unchanged",
        f"{len(rejected):,} rejected",
    ]
    if report.skipped:
        counts.append(f"{report.skipped:,} skipped (without external_id, imported before)")
    print(f"{source}: " + ", ".join(counts), file=out)
    for line, reason in rejected[:limit]:
        print(f"  line {line}: {reason}", file=out)
    if len(rejected) > limit:
        print(f"  … and {len(rejected) - limit} more", file=out)


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")
