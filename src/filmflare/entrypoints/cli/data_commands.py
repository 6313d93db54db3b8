"""The commands that work on the catalog: init, import, seed and reindex."""

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
from filmflare.entrypoints.cli.summary import print_summary


async def init(container: Container, _args: argparse.Namespace) -> int:
    async with container:
        await container.init()
    print("The store and the search index are ready.")
    return 0


async def reindex(container: Container, _args: argparse.Namespace) -> int:
    async with container:
        await container.init()
        count = await container.reindex.execute()
    print(f"Reindexed {count:,} movies from the store.")
    return 0


async def import_file(container: Container, args: argparse.Namespace) -> int:
    """Exit 0 when a row went in or none was rejected, 1 when nothing usable was read."""
    source: str = args.file
    fmt = args.format or guess_format(source)
    assert fmt is not None, "the parser refuses a file whose format it cannot tell"
    try:
        with open_rows(source, fmt) as rows:
            async with container:
                await container.init()
                report = await _import(container, rows, "importing")
    except UnreadableInput as error:
        print(f"filmflare import: {error}", file=sys.stderr)
        return 1
    print_summary(report, "standard input" if source == STDIN else source, sys.stdout)
    return 0 if report.taken or not report.rejected else 1


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
                report = await _import(container, demo_rows(rows), "seeding")
        except UnreadableInput as error:
            print(f"filmflare seed: the demo catalog: {error}", file=sys.stderr)
            return 1
    print_summary(report, f"demo catalog {catalog.name}", sys.stdout)
    return 0 if report.taken else 1


async def _import(container: Container, rows: Iterable[Row], label: str) -> ImportReport:
    with progress_bar(label) as advance:
        return await container.import_movies.execute(rows, progress=advance)
