"""The commands that work on the catalog: init, import, export, seed and reindex."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from filmflare.application.import_movies import ImportReport
from filmflare.bootstrap import Container
from filmflare.entrypoints.cli.demo_catalog import CATALOG, demo_rows
from filmflare.entrypoints.cli.progress import progress_bar
from filmflare.entrypoints.cli.readers import STDIN, UnreadableInput, guess_format, open_rows
from filmflare.entrypoints.cli.rows import Row
from filmflare.entrypoints.cli.source import Fingerprint, fingerprint
from filmflare.entrypoints.cli.summary import print_summary


async def init(container: Container, _args: argparse.Namespace) -> int:
    async with container:
        filled = await container.init()
    if filled is not None:
        print(f"Made a new search index and filled it with {filled:,} movies from the store.")
    print("The store and the search index are ready.")
    return 0


async def reindex(container: Container, _args: argparse.Namespace) -> int:
    async with container:
        count = await container.init()
        if count is None:  # init found the index usable: rebuild it all the same
            with progress_bar("reindexing", await container.repository.count(), "movies") as bar:
                count = await container.reindex.execute(bar)
    print(f"Reindexed {count:,} movies from the store.")
    return 0


async def import_file(container: Container, args: argparse.Namespace) -> int:
    """Exit 0 when a row went in or none was rejected, 1 when nothing usable was read."""
    source: str = args.file
    fmt = args.format or guess_format(source)
    assert fmt is not None, "the parser refuses a file whose format it cannot tell"
    try:
        found = None if source == STDIN else fingerprint(Path(source))
        with open_rows(source, fmt) as rows:
            async with container:
                await container.init()
                report = await _import(
                    container,
                    rows,
                    "importing",
                    found,
                    keep_ids=args.keep_ids,
                    restart=args.restart,
                )
    except OSError as error:
        print(f"filmflare import: cannot open {source}: {error.strerror or error}", file=sys.stderr)
        return 1
    except UnreadableInput as error:
        print(f"filmflare import: {error}", file=sys.stderr)
        return 1
    print_summary(report, "standard input" if source == STDIN else source, sys.stdout)
    return 0 if report.taken or report.skipped or not report.rejected else 1


async def export(container: Container, args: argparse.Namespace) -> int:
    """The catalog as NDJSON into FILE (whole or not at all: written aside, then renamed)
    or onto standard output."""
    target: str = args.file
    async with container:
        total = await container.repository.count()
        with progress_bar("exporting", total, "movies") as bar:
            if target == STDIN:
                out = sys.stdout.buffer
                count = await container.export_movies.execute(out.write, bar)
                out.flush()
            else:
                path = Path(target)
                partial = path.with_name(path.name + ".partial")
                with partial.open("wb") as stream:
                    count = await container.export_movies.execute(stream.write, bar)
                partial.replace(path)
    where = "standard output" if target == STDIN else target
    print(f"Exported {count:,} movies to {where}.", file=sys.stderr)
    return 0


async def seed(container: Container, args: argparse.Namespace) -> int:
    """Import the demo catalog into an empty catalog; leave a catalog with movies alone."""
    catalog = Path(args.catalog) if args.catalog else CATALOG
    async with container:
        await container.init()
        existing = await container.repository.count()
        if existing:
            print(f"The catalog already holds {existing:,} movies; the demo catalog is not added.")
            return 0
        try:
            with open_rows(str(catalog), "json") as rows:
                report = await _import(container, demo_rows(rows), "seeding", None)
        except UnreadableInput as error:
            print(f"filmflare seed: the demo catalog: {error}", file=sys.stderr)
            return 1
    print_summary(report, f"demo catalog {catalog.name}", sys.stdout)
    return 0 if report.taken else 1


async def _import(
    container: Container,
    rows: Iterable[Row],
    label: str,
    found: Fingerprint | None,
    *,
    keep_ids: bool = False,
    restart: bool = False,
) -> ImportReport:
    """Import ``rows``; the progress counts lines, out of the file's when it is known."""
    with progress_bar(label, found.lines if found else None, "lines") as bar:
        reached = 0

        def advance(line: int) -> None:
            nonlocal reached
            if line > reached:
                bar(line - reached)
                reached = line

        return await container.import_movies.execute(
            rows,
            source=found.digest if found else None,
            keep_ids=keep_ids,
            restart=restart,
            progress=advance,
        )
