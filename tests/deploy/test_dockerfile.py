"""The Dockerfile: read statically, then its build stage replayed into a fresh virtualenv and
its command served from there (no Docker engine runs on this machine).

The replay runs the Dockerfile's own ``uv sync`` lines, with the repository's uv (the version
the Dockerfile pins), on a copy of what its COPY lines take through .dockerignore; uv's
default cache keeps it to seconds. It needs PyPI only for a wheel missing from that cache.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy import dockerfile
from tests.deploy.dockerignore import DockerIgnore
from tests.deploy.files import DOCKERFILE, DOCKERIGNORE, ROOT
from tests.deploy.image_build import (
    UV,
    ImageProcess,
    build_stage_environment,
    runtime_environment,
)
from tests.infra_redis import free_port

STAGES = dockerfile.stages(DOCKERFILE)
BUILD, RUNTIME = STAGES[0], STAGES[-1]
DEV_ONLY = ["pytest", "mypy", "ruff", "moto", "hypothesis", "schemathesis", "httpx"]
DEV_ONLY += ["importlinter", "kubernetes_validate", "types_aiobotocore_dynamodb"]


def test_a_build_stage_and_a_slim_runtime_stage_on_one_python() -> None:
    assert len(STAGES) >= 2
    assert {stage.base for stage in STAGES} == {"${PYTHON_IMAGE}"}
    assert re.fullmatch(
        r"python:3\.11(\.\d+)?-slim(-\w+)?", dockerfile.global_args(DOCKERFILE)["PYTHON_IMAGE"]
    )


def test_the_runtime_stage_runs_as_an_unprivileged_numeric_user() -> None:
    user = RUNTIME.last("USER")
    assert user is not None
    name = user.split(":")[0]
    assert name.isdigit(), "numeric, so that runAsNonRoot can check it"
    assert int(name) != 0


def test_the_build_installs_exactly_the_lockfiles_runtime_dependencies() -> None:
    syncs = BUILD.uv_syncs()
    assert syncs, "the build stage runs uv sync"
    for command in syncs:
        assert {"--frozen", "--no-dev", "--no-editable"} <= set(command), command
    makefile_uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert makefile_uv is not None
    assert BUILD.env()["UV_VERSION"] == makefile_uv[1], "the uv that `make install` uses"
    assert BUILD.env()["UV_COMPILE_BYTECODE"] == "1", "a read-only root cannot cache bytecode"


def test_the_runtime_stage_gets_the_virtualenv_alone() -> None:
    venv = BUILD.env()["UV_PROJECT_ENVIRONMENT"]
    assert RUNTIME.all("COPY")[0] == f"--from=build {venv} {venv}"
    assert RUNTIME.env()["PATH"].startswith(f"{venv}/bin:")
    assert not any("uv " in run or "pip " in run for run in RUNTIME.all("RUN"))
    assert RUNTIME.env()["PYTHONDONTWRITEBYTECODE"] == "1"


def test_the_command_serves_with_the_environment_deciding_workers_and_address() -> None:
    command = RUNTIME.exec_form("CMD")
    assert command[:2] == ["filmflare", "serve"]
    assert "--workers" not in command
    assert "--host" not in command
    env = RUNTIME.env()
    assert env["FILMFLARE_WORKERS"] == "auto"
    assert env["FILMFLARE_HOST"] == "0.0.0.0"  # noqa: S104 - a container serves its network
    assert "--proxy-headers" not in command, "the image cannot know which proxy to trust"


def test_the_healthcheck_asks_healthz_with_python() -> None:
    check = RUNTIME.exec_form("HEALTHCHECK")
    assert check[:2] == ["python", "-c"], "slim has no curl"
    assert "/healthz" in check[2]


def test_the_context_holds_what_is_copied_and_nothing_private() -> None:
    ignore = DockerIgnore(DOCKERIGNORE.read_text())
    for stage in STAGES:
        for sources, _ in stage.copies():
            for source in sources:
                assert (ROOT / source).exists(), source
                assert not ignore.excluded(source), f".dockerignore leaves out {source}"
    for private in [".venv/bin/python", ".git/HEAD", ".env", "data/dev-jwt-secret", ".tools/x"]:
        assert ignore.excluded(private), private
    assert ignore.excluded("src/filmflare/__pycache__/app.cpython-311.pyc")


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/opt/filmflare as the build stage makes it, made here."""
    if not UV.exists():
        pytest.skip(f"{UV} is missing: `make install` puts the pinned uv there")
    version = subprocess.run([str(UV), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split()[1] == BUILD.env()["UV_VERSION"]
    root = tmp_path_factory.mktemp("image")
    build_stage_environment(BUILD, root / "src", root / "opt-filmflare")
    return root / "opt-filmflare"


def site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python3*/site-packages")
    return found


@pytest.mark.slow
def test_the_image_environment_has_no_development_tools(image_venv: Path) -> None:
    probe = (
        "import importlib.util as u, json, sys; "
        "print(json.dumps([m for m in sys.argv[1:] if u.find_spec(m)]))"
    )
    done = subprocess.run(
        [str(image_venv / "bin" / "python"), "-c", probe, *DEV_ONLY],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []
    assert not [tool for tool in ("pytest", "mypy", "ruff") if (image_venv / "bin" / tool).exists()]


@pytest.mark.slow
def test_the_project_is_installed_from_its_wheel_not_linked_to_the_source(
    image_venv: Path,
) -> None:
    packages = site_packages(image_venv)
    assert (packages / "filmflare" / "entrypoints" / "cli" / "__init__.py").is_file()
    links = [p.read_text() for p in packages.glob("*.pth")]
    assert not any("src" in link for link in links), links
    assert list((packages / "filmflare").rglob("*.pyc")), "UV_COMPILE_BYTECODE compiled it"


@pytest.fixture
def served(image_venv: Path, tmp_path: Path) -> Iterator[str]:
    """The image's CMD with its ENV (workers=auto), on the embedded backends: its URL."""
    port = str(free_port())
    env = runtime_environment(
        RUNTIME,
        image_venv,
        FILMFLARE_HOST="127.0.0.1",
        FILMFLARE_PORT=port,
        FILMFLARE_DATA_DIR=str(tmp_path / "data"),
    )
    command = RUNTIME.exec_form("CMD")
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable == str(image_venv / "bin" / command[0])
    server = ImageProcess([executable, *command[1:]], env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    server.start(f"{url}/healthz")
    try:
        yield url
    finally:
        status = server.stop()
        assert status == 0, f"SIGTERM should stop it cleanly:\n{server.log.read_text()[-3000:]}"
        assert not server.left_behind, "a worker outlived the server"


@pytest.mark.slow
def test_the_image_command_serves_and_is_ready(served: str) -> None:
    assert httpx.get(f"{served}/healthz", timeout=5).status_code == 200
    ready = httpx.get(f"{served}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "search": "ok", "cache": "ok"}


@pytest.mark.slow
def test_the_healthcheck_passes_against_the_server_and_fails_without_one(
    served: str, image_venv: Path
) -> None:
    port = served.rsplit(":", 1)[1]
    check = RUNTIME.exec_form("HEALTHCHECK")
    env = runtime_environment(RUNTIME, image_venv, FILMFLARE_PORT=port)
    assert subprocess.run(check, env=env, capture_output=True, timeout=30).returncode == 0
    nobody = runtime_environment(RUNTIME, image_venv, FILMFLARE_PORT=str(free_port()))
    assert subprocess.run(check, env=nobody, capture_output=True, timeout=30).returncode != 0


@pytest.mark.slow
def test_the_production_profile_refuses_to_start_without_its_backends(
    image_venv: Path, tmp_path: Path
) -> None:
    env = runtime_environment(
        RUNTIME, image_venv, FILMFLARE_PROFILE="production", FILMFLARE_PORT=str(free_port())
    )
    command = [str(image_venv / "bin" / "filmflare"), *RUNTIME.exec_form("CMD")[1:]]
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert "FILMFLARE_PROFILE=production needs FILMFLARE_STORE=dynamodb" in done.stderr


@pytest.mark.slow
def test_the_installed_package_carries_the_demo_catalog(image_venv: Path, tmp_path: Path) -> None:
    env = runtime_environment(RUNTIME, image_venv, FILMFLARE_DATA_DIR=str(tmp_path / "data"))
    filmflare = str(image_venv / "bin" / "filmflare")
    for command in ("init", "seed"):
        done = subprocess.run(
            [filmflare, command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    assert "3200" in done.stdout.replace(",", "") + done.stderr.replace(",", "")
