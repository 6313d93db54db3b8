"""What names an import file across runs: the digest of its content, and its line count
(the progress bar's total), from one sequential read before the import."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Fingerprint:
    digest: str  # "sha256:<hex>": the same content is the same source, wherever it lies
    lines: int


def fingerprint(path: Path) -> Fingerprint:
    digest = hashlib.sha256()
    lines, last = 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return Fingerprint(f"sha256:{digest.hexdigest()}", lines + (last != b"\n"))
