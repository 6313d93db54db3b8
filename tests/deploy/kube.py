"""The Kubernetes manifests under deploy/kubernetes, loaded for the tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.deploy.files import KUBERNETES, Document, document, documents, documents_of

BASE = KUBERNETES / "base"
OVERLAYS = sorted(path.parent for path in (KUBERNETES / "overlays").glob("*/kustomization.yaml"))
SECRET_EXAMPLE = KUBERNETES / "secret.example.yaml"
KUSTOMIZATION = "kustomization.yaml"


def manifest_files() -> list[Path]:
    """Every YAML file that holds Kubernetes resources (kustomizations are not resources)."""
    return sorted(path for path in KUBERNETES.rglob("*.yaml") if path.name != KUSTOMIZATION)


def kustomizations() -> list[Path]:
    return sorted(KUBERNETES.rglob(KUSTOMIZATION))


def base_resources() -> list[Document]:
    """The resources the base kustomization lists, in its order."""
    listed = document(BASE / KUSTOMIZATION)["resources"]
    return [doc for name in listed for doc in documents(BASE / name)]


def base_resource(kind: str, name: str | None = None) -> Document:
    """The one base resource of ``kind`` (and ``name``, when several share the kind)."""
    found = [
        doc
        for doc in base_resources()
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''} in the base, found {len(found)}"
    return found[0]


def name_of(kind: str) -> str:
    """The name of the one base resource of ``kind``."""
    name: str = base_resource(kind)["metadata"]["name"]
    return name


def document_name(path: Path) -> str:
    """The name of the one resource in ``path``."""
    name: str = document(path)["metadata"]["name"]
    return name


def renderer() -> list[str] | None:
    """A command that renders a kustomization, if this machine has one."""
    installed = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "kustomize"
    if installed.exists():  # `bash scripts/kustomize.sh install`, as CI does
        return [str(installed), "build"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render(command: list[str], directory: Path) -> list[Document]:
    """The resources ``kubectl kustomize DIRECTORY`` would apply (no cluster involved)."""
    done = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} {directory} failed:\n{done.stderr}"
    return documents_of(done.stdout)
