"""``.dockerignore`` as Docker reads it, near enough for the tests.

Patterns are matched against paths relative to the build context, in order; the last one
that matches a path or one of its parent directories decides, and ``!`` lets a path back in.
``**`` matches any number of directories, ``*`` and ``?`` stay within one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath


class DockerIgnore:
    def __init__(self, text: str) -> None:
        self._patterns: list[tuple[bool, re.Pattern[str]]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            pattern = line.removeprefix("!").strip().strip("/")
            self._patterns.append((negated, re.compile(_regex(pattern))))

    def excluded(self, path: str) -> bool:
        """Is ``path`` (relative, with ``/``) left out of the build context?"""
        candidates = [path, *(str(parent) for parent in PurePosixPath(path).parents)]
        verdict = False
        for negated, regex in self._patterns:
            if any(regex.fullmatch(candidate) for candidate in candidates if candidate != "."):
                verdict = not negated
        return verdict

    def files(self, root: Path, source: str) -> Iterator[Path]:
        """The files under ``root / source`` (a file or a directory) that reach the builder."""
        start = root / source
        for path in sorted(start.rglob("*")) if start.is_dir() else [start]:
            if path.is_file() and not self.excluded(path.relative_to(root).as_posix()):
                yield path


def _regex(pattern: str) -> str:
    out = []
    at = 0
    while at < len(pattern):
        if pattern.startswith("**/", at):
            out.append("(?:.*/)?")
            at += 3
        elif pattern.startswith("**", at):
            out.append(".*")
            at += 2
        elif pattern[at] == "*":
            out.append("[^/]*")
            at += 1
        elif pattern[at] == "?":
            out.append("[^/]")
            at += 1
        elif pattern[at] == "[":
            end = pattern.index("]", at)
            out.append(pattern[at : end + 1])
            at = end + 1
        else:
            out.append(re.escape(pattern[at]))
            at += 1
    return "".join(out)
