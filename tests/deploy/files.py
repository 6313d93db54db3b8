"""The deployment files, where they are, and YAML read as plain dicts.

PyYAML ships no type information, so it is imported here once and its documents are handed
on as ``dict[str, Any]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
KUBERNETES = ROOT / "deploy" / "kubernetes"

Document = dict[str, Any]


def documents(path: Path) -> list[Document]:
    """Every non-empty document of a YAML file, each a mapping."""
    loaded = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    for doc in loaded:
        assert isinstance(doc, dict), f"{path}: a document is not a mapping: {doc!r}"
    return loaded


def document(path: Path) -> Document:
    """The one document of a YAML file."""
    (only,) = documents(path)
    return only


def documents_of(text: str) -> list[Document]:
    """The documents of YAML text (a rendered kustomization, say)."""
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]
