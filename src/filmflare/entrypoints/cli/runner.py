"""Runs one command: builds the container, dispatches, and turns failures into exit codes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from pydantic import ValidationError

from filmflare.bootstrap import ConfigurationError, Container, build_from_environment
from filmflare.domain.errors import DomainError
from filmflare.entrypoints.cli import data_commands, serve
from filmflare.entrypoints.cli.parser import build_parser, parse

Command = Callable[[Container, argparse.Namespace], int]
AsyncCommand = Callable[[Container, argparse.Namespace], Coroutine[Any, Any, int]]


def _blocking(command: AsyncCommand) -> Command:
    def run(container: Container, args: argparse.Namespace) -> int:
        return asyncio.run(command(container, args))

    return run


COMMANDS: dict[str, Command] = {
    "serve": serve.serve,
    "token": serve.token,
    "init": _blocking(data_commands.init),
    "import": _blocking(data_commands.import_file),
    "export": _blocking(data_commands.export),
    "seed": _blocking(data_commands.seed),
    "reindex": _blocking(data_commands.reindex),
}


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is 0, 1 when it failed, 2 for a usage error."""
    try:
        args = parse(build_parser(), None if argv is None else list(argv))
    except SystemExit as stop:  # argparse's way to report usage errors and --help
        return stop.code if isinstance(stop.code, int) else 2
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    try:
        container = build_from_environment()
        return COMMANDS[args.command](container, args)
    except ConfigurationError as error:
        _fail("filmflare", f"configuration error: {error}")
        return 2
    except ValidationError as error:
        _fail("filmflare", "configuration error: " + "; ".join(_setting_problems(error)))
        return 2
    except (DomainError, OSError) as error:  # a backend or the data directory failed us
        _fail(f"filmflare {args.command}", str(error))
        return 1
    except KeyboardInterrupt:
        _fail(f"filmflare {args.command}", "interrupted")
        return 130


def _fail(who: str, message: str) -> None:
    print(f"{who}: {message}", file=sys.stderr)


def _setting_problems(error: ValidationError) -> list[str]:
    return [
        f"FILMFLARE_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
        for problem in error.errors()
    ]
