"""What the base manifests promise: locked-down pods, probes on the right paths, and every
reference between resources (labels, names, ports) pointing at something that exists."""

from __future__ import annotations

import pytest

from tests.deploy import kube
from tests.deploy.files import Document

WORKLOADS = ["Deployment", "Job"]
IMAGE = "ghcr.io/filmflare/filmflare"


def pod(kind: str) -> Document:
    spec: Document = kube.base_resource(kind)["spec"]["template"]["spec"]
    return spec


def api() -> Document:
    containers: list[Document] = pod("Deployment")["containers"]
    assert len(containers) == 1, "one container: the API"
    return containers[0]


def pod_labels() -> dict[str, str]:
    template = kube.base_resource("Deployment")["spec"]["template"]
    labels: dict[str, str] = template["metadata"]["labels"]
    return labels


def selects_the_api(selector: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= pod_labels().items()


@pytest.mark.parametrize("kind", WORKLOADS)
def test_pods_run_unprivileged_on_a_read_only_root(kind: str) -> None:
    spec = pod(kind)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts.get("/tmp") in tmp_volumes, "a read-only root needs a writable /tmp"


@pytest.mark.parametrize("kind", WORKLOADS)
def test_containers_have_requests_and_limits_and_a_pinned_image(kind: str) -> None:
    for container in pod(kind)["containers"]:
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= resources[bound].keys(), f"{kind} {bound}"
        name, _, tag = container["image"].rpartition(":")
        assert name == IMAGE
        assert tag not in {"", "latest"}, container["image"]


@pytest.mark.parametrize("kind", WORKLOADS)
def test_settings_come_from_the_config_map_then_the_secret(kind: str) -> None:
    (container,) = pod(kind)["containers"]
    sources = [next(iter(source.items())) for source in container["envFrom"]]
    assert [(key, ref["name"]) for key, ref in sources] == [
        ("configMapRef", kube.base_resource("ConfigMap")["metadata"]["name"]),
        ("secretRef", kube.document_name(kube.SECRET_EXAMPLE)),
    ]
    assert (
        pod(kind)["serviceAccountName"] == kube.base_resource("ServiceAccount")["metadata"]["name"]
    )


def test_the_api_probes_liveness_and_readiness_on_their_endpoints() -> None:
    container = api()
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        action = container[probe]["httpGet"]
        assert action["port"] in ports, f"{probe} names no container port"
        paths[probe] = action["path"]
    assert paths == {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    assert ports["http"] == 8000, "the image serves on FILMFLARE_PORT=8000"


def test_the_api_serves_behind_the_proxy_it_trusts_by_name() -> None:
    command = api()["command"]
    assert command[:2] == ["filmflare", "serve"]
    assert "--workers" not in command, "FILMFLARE_WORKERS decides"
    if "--proxy-headers" in command:
        allowed = command[command.index("--forwarded-allow-ips") + 1]
        assert allowed not in {"*", "0.0.0.0/0"}, "any client could forge its address"
        variable = allowed.removeprefix("$(").removesuffix(")")
        assert variable in {env["name"] for env in api()["env"]}


def test_the_deployment_leaves_the_replica_count_to_the_autoscaler() -> None:
    deployment = kube.base_resource("Deployment")
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels().items()
    constraints = pod("Deployment")["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in constraints} >= {"kubernetes.io/hostname"}
    assert all(selects_the_api(c["labelSelector"]["matchLabels"]) for c in constraints)


def test_the_autoscaler_scales_the_deployment_on_cpu() -> None:
    spec = kube.base_resource("HorizontalPodAutoscaler")["spec"]
    target = spec["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", kube.name_of("Deployment"))
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    (metric,) = spec["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    assert {"scaleUp", "scaleDown"} <= spec["behavior"].keys()


def test_the_service_ingress_and_disruption_budget_reach_the_api_pods() -> None:
    service = kube.base_resource("Service")
    assert selects_the_api(service["spec"]["selector"])
    container_ports = {port["name"] for port in api()["ports"]}
    service_ports = {port["name"] for port in service["spec"]["ports"]}
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= container_ports
    for rule in kube.base_resource("Ingress")["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == service["metadata"]["name"]
            assert backend["port"]["name"] in service_ports
    budget = kube.base_resource("PodDisruptionBudget")["spec"]
    assert selects_the_api(budget["selector"]["matchLabels"])


def test_the_init_job_runs_filmflare_init_once_and_cleans_up() -> None:
    job = kube.base_resource("Job")["spec"]
    (container,) = job["template"]["spec"]["containers"]
    assert container["command"] == ["filmflare", "init"]
    assert container["image"] == api()["image"]
    assert job["template"]["spec"]["restartPolicy"] in {"Never", "OnFailure"}
    assert job["backoffLimit"] > 0
    assert job["ttlSecondsAfterFinished"] > 0
