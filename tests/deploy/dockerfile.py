"""A Dockerfile read the simple way: instructions per stage, their arguments as text.

Enough for the tests to follow what the Dockerfile says (which files it copies, how it runs
``uv sync``, its environment, its HEALTHCHECK and CMD) instead of repeating it; not a full
parser (no variable expansion, no heredocs).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    arguments: str  # the rest, continuation lines joined


@dataclass(frozen=True, slots=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        """ENV and ARG defaults, as written (``$PATH`` is not expanded)."""
        values: dict[str, str] = {}
        for instruction in self.instructions:
            if instruction.keyword in {"ENV", "ARG"}:
                for pair in shlex.split(instruction.arguments):
                    key, _, value = pair.partition("=")
                    values[key] = value
        return values

    def copies(self) -> list[tuple[list[str], str]]:
        """(sources, destination) of each COPY from the build context (not ``--from``)."""
        found = []
        for arguments in self.all("COPY"):
            words = shlex.split(arguments)
            if any(word.startswith("--from") for word in words):
                continue
            words = [word for word in words if not word.startswith("--")]
            found.append((words[:-1], words[-1]))
        return found

    def uv_syncs(self) -> list[list[str]]:
        """The arguments after ``uv`` of each ``uv sync`` command its RUN lines hold."""
        commands = []
        for arguments in self.all("RUN"):
            words = shlex.split(arguments)
            for at, word in enumerate(words[:-1]):
                if word == "uv" and words[at + 1] == "sync":
                    command = []
                    for part in words[at + 1 :]:
                        if part in {"&&", ";", "||"}:
                            break
                        command.append(part)
                    commands.append(command)
        return commands

    def exec_form(self, keyword: str) -> list[str]:
        """The JSON array of the last ``keyword`` (CMD, ENTRYPOINT) or of HEALTHCHECK's CMD."""
        arguments = self.last(keyword)
        assert arguments is not None, f"the stage has no {keyword}"
        if keyword == "HEALTHCHECK":
            arguments = arguments[arguments.index(" CMD ") + len(" CMD ") :]
        command = json.loads(arguments)
        assert isinstance(command, list), f"{keyword} is not in exec form: {arguments}"
        return [str(word) for word in command]


def instructions(text: str) -> list[Instruction]:
    """Instructions in order: comments and blank lines dropped, continuations joined."""
    found: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # a comment inside a continued instruction is dropped, as Docker does
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        found.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return found


def stages(path: Path) -> list[Stage]:
    """The build stages, in order (ARG lines before the first FROM are left out)."""
    result: list[Stage] = []
    base, name = "", None
    body: list[Instruction] = []
    for instruction in instructions(path.read_text()):
        if instruction.keyword == "FROM":
            if base:
                result.append(Stage(base, name, tuple(body)))
            words = instruction.arguments.split()
            base = words[0]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            body = []
        elif base:
            body.append(instruction)
    if base:
        result.append(Stage(base, name, tuple(body)))
    return result


def global_args(path: Path) -> dict[str, str]:
    """The ARG defaults declared before the first FROM."""
    values: dict[str, str] = {}
    for instruction in instructions(path.read_text()):
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            key, _, value = instruction.arguments.partition("=")
            values[key] = value
    return values
