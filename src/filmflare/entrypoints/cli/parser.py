"""The command line's grammar: ``filmflare COMMAND [options]``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from filmflare.entrypoints.cli.csv_rows import LIST_SEPARATOR
from filmflare.entrypoints.cli.readers import FORMATS, guess_format


def _bounded(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            limit = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {limit}, not {value}")
        return value

    return parse


def _workers(value: str) -> int | str:
    return "auto" if value == "auto" else _bounded(1, 512)(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="filmflare", description="FilmFlare, a movie-catalog REST API."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="address to listen on (default: FILMFLARE_HOST)")
    serve.add_argument("--port", type=_bounded(1, 65535), help="default: FILMFLARE_PORT")
    serve.add_argument(
        "--workers",
        type=_workers,
        help="processes: a number or 'auto' for one per available CPU (default: FILMFLARE_WORKERS)",
    )
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips (off by default)",
    )
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1", metavar="IPS")
    serve.add_argument(
        "--graceful-timeout",
        type=_bounded(0),
        default=10,
        metavar="SECONDS",
        help="how long open requests may finish on shutdown (default 10)",
    )

    commands.add_parser("init", help="create the tables and indexes (idempotent)")

    load = commands.add_parser(
        "import",
        help="import movies from a JSON, NDJSON or CSV file",
        description=(
            "Import movies: a JSON array, NDJSON (one object per line) or CSV (a header of "
            f"field names; genres, directors and cast separated by '{LIST_SEPARATOR}'; an "
            "empty cell is null). Each row is checked like POST /movies; rejected rows are "
            "listed with their line and reason. A row whose external_id a movie holds "
            "updates that movie (or leaves it alone when nothing changed), so a file can be "
            "imported again; a run stopped halfway resumes after the last batch it committed."
        ),
    )
    load.add_argument("file", metavar="FILE", help="the file, or - for standard input (JSON)")
    load.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    load.add_argument(
        "--keep-ids",
        action="store_true",
        help="take id and created_at from rows written by export, and match movies by id "
        "(moves a catalog with every id and link intact)",
    )
    load.add_argument(
        "--restart",
        action="store_true",
        help="start the file over instead of resuming after an earlier run of it",
    )

    dump = commands.add_parser(
        "export",
        help="write the whole catalog as NDJSON (the import format, with ids and times)",
    )
    dump.add_argument("file", metavar="FILE", help="the file, or - for standard output")

    seed = commands.add_parser("seed", help="import the demo catalog if the catalog is empty")
    seed.add_argument("--catalog", metavar="FILE", help="a vega-datasets movies.json file")

    commands.add_parser("reindex", help="rebuild the search index from the store")

    token = commands.add_parser("token", help="mint an HS256 token for development")
    token.add_argument("--subject", default="dev", help="the token's sub (default: dev)")
    token.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="a scope to grant, repeatable (default: movies:write unless --role is given)",
    )
    token.add_argument("--role", action="append", metavar="ROLE", help="a role, repeatable")
    token.add_argument(
        "--ttl", type=_bounded(1), default=3600, metavar="SECONDS", help="lifetime (3600)"
    )
    for command in commands.choices.values():
        command.set_defaults(command_parser=command)  # for usage errors found after parsing
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; a usage error exits 2 as argparse does."""
    args = parser.parse_args(argv)
    if args.command == "import" and args.format is None and guess_format(args.file) is None:
        args.command_parser.error(
            f"cannot tell the format of {args.file!r} from its name; pass --format"
        )
    return args
