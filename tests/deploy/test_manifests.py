"""The Kubernetes manifests are valid resources, and the kustomizations hold together.

Validation is offline and strict: kubernetes-validate carries the API's JSON schemas, and
strict mode rejects a field the API does not have (a misspelt one would otherwise be dropped
by the API server without a word). Each file is checked against the oldest and the newest
Kubernetes version we mean to support. The overlays are rendered with ``kubectl kustomize``
(or ``kustomize build``; ``scripts/kustomize.sh install`` builds one, as CI does); nothing
here talks to a cluster.
"""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped, unused-ignore]
import pytest

from tests.conftest import skip_without
from tests.deploy import kube
from tests.deploy.files import KUBERNETES, Document, document, documents
from tests.deploy.settings import settings_from, unknown_settings

KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
NAMESPACED = {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job"}
NAMESPACED |= {"PodDisruptionBudget", "Secret", "Service", "ServiceAccount"}


def validate(resource: Document, version: str) -> None:
    kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "path", kube.manifest_files(), ids=lambda p: str(p.relative_to(KUBERNETES))
)
def test_every_manifest_is_a_valid_resource(path: Path, version: str) -> None:
    resources = documents(path)
    assert resources, f"{path} holds no resource"
    for resource in resources:
        validate(resource, version)


def test_strict_validation_rejects_a_misspelt_field() -> None:
    deployment = copy.deepcopy(kube.base_resource("Deployment"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["readOnlyRootFileSystem"] = True  # "System": not a field
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment, KUBERNETES_VERSIONS[-1])


@pytest.mark.parametrize("path", kube.kustomizations(), ids=lambda p: str(p.parent.name))
def test_every_file_a_kustomization_names_exists(path: Path) -> None:
    kustomization = document(path)
    assert kustomization["kind"] == "Kustomization"
    for name in kustomization.get("resources", []):
        target = path.parent / name
        assert target.is_file() or (target / kube.KUSTOMIZATION).is_file(), f"{path}: {name}"
    for patch in kustomization.get("patches", []):
        assert (path.parent / patch["path"]).is_file(), f"{path}: patch {patch['path']}"


def test_the_base_lists_every_manifest_beside_it() -> None:
    listed = set(document(kube.BASE / kube.KUSTOMIZATION)["resources"])
    on_disk = {p.name for p in kube.BASE.glob("*.yaml")} - {kube.KUSTOMIZATION}
    assert listed == on_disk


@pytest.mark.parametrize("overlay", kube.OVERLAYS, ids=lambda p: p.name)
def test_each_overlay_builds_on_the_base_and_patches_only_its_resources(overlay: Path) -> None:
    kustomization = document(overlay / kube.KUSTOMIZATION)
    assert (overlay / kustomization["resources"][0]).resolve() == kube.BASE
    defined = {(r["kind"], r["metadata"]["name"]) for r in kube.base_resources()}
    for patch in kustomization.get("patches", []):
        for target in documents(overlay / patch["path"]):
            assert (target["kind"], target["metadata"]["name"]) in defined, patch["path"]
    images = {r["image"] for r in _containers(kube.base_resources())}
    for image in kustomization.get("images", []):
        assert any(ref.rsplit(":", 1)[0] == image["name"] for ref in images), image["name"]


def test_the_secret_is_an_example_with_placeholders_only() -> None:
    secret = document(kube.SECRET_EXAMPLE)
    values = secret["stringData"]
    assert "FILMFLARE_JWT_SECRET" in values
    assert all(value.startswith("REPLACE-ME") for value in values.values()), values
    assert "data" not in secret, "base64 data could hide a real value"
    for path in kube.kustomizations():
        assert kube.SECRET_EXAMPLE.name not in str(document(path)), f"{path} applies the example"


def test_the_config_map_names_only_real_settings_and_the_production_profile() -> None:
    data = kube.base_resource("ConfigMap")["data"]
    assert data["FILMFLARE_PROFILE"] == "production"
    assert data["FILMFLARE_WORKERS"] == "1", "pods scale out, not up"
    patched = [
        doc["data"] for overlay in kube.OVERLAYS for doc in documents(overlay / "configmap.yaml")
    ]
    for variables in [data, *patched]:
        assert unknown_settings(variables) == []


@pytest.mark.parametrize("overlay", kube.OVERLAYS, ids=lambda p: p.name)
def test_each_overlay_renders_to_a_valid_production_deployment(overlay: Path) -> None:
    command = kube.renderer()
    if command is None:
        skip_without("kustomize", "run `bash scripts/kustomize.sh install` to render overlays")
        return
    rendered = kube.render(command, overlay)
    for resource in rendered:
        validate(resource, KUBERNETES_VERSIONS[-1])
        if resource["kind"] in NAMESPACED:
            assert resource["metadata"].get("namespace") == "filmflare", resource["metadata"]
    (config,) = [r for r in rendered if r["kind"] == "ConfigMap"]
    assert config["data"]["FILMFLARE_SEARCH"] == overlay.name
    # The pods read the ConfigMap, then the Secret: together they must satisfy the profile.
    environment = {**config["data"], **document(kube.SECRET_EXAMPLE)["stringData"]}
    assert settings_from(environment).problems() == []


def _containers(resources: list[Document]) -> list[Document]:
    return [
        container
        for resource in resources
        if resource["kind"] in {"Deployment", "Job"}
        for container in resource["spec"]["template"]["spec"]["containers"]
    ]
