"""compose.yaml, checked statically (no Docker engine here): every service is health-checked
or a one-shot, starts in order, and the API's environment is one FilmFlare's own production
check accepts, with every URL naming a service of the file.

The Compose Specification's JSON schema ships inside check-jsonschema (PyPI), so the file is
validated against it offline when that package is installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.deploy.files import COMPOSE, Document, document
from tests.deploy.settings import settings_from, unknown_settings

FILMFLARE = ["api", "init", "seed"]
ONE_SHOTS = {"init", "seed"}
URL_SETTINGS = ["FILMFLARE_SEARCH_URL", "FILMFLARE_REDIS_URL", "FILMFLARE_DYNAMODB_ENDPOINT"]


CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def services() -> dict[str, Document]:
    found: dict[str, Document] = document(COMPOSE)["services"]
    return found


def long_running() -> list[str]:
    return [name for name in services() if name not in ONE_SHOTS]


def environment(service: str) -> dict[str, str]:
    values: Any = services()[service]["environment"]
    assert isinstance(values, dict), "the environment is written as a mapping"
    return {str(key): str(value) for key, value in values.items()}


def test_the_file_follows_the_compose_specification() -> None:
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_one_shots_and_the_long_running_services_are_the_expected_ones() -> None:
    assert set(services()) == {"api", "init", "seed", "redis", "opensearch", "dynamodb"}
    for name in ONE_SHOTS:
        assert services()[name]["restart"] == "no"
    for name in long_running():
        assert services()[name]["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", ["api", "redis", "opensearch", "dynamodb"])
def test_every_long_running_service_has_a_healthcheck(name: str) -> None:
    check = services()[name]["healthcheck"]
    assert check["test"][0] == "CMD", "exec form: the image need not have a shell"
    assert len(check["test"]) > 1
    assert check["retries"] > 0
    assert {"interval", "timeout"} <= check.keys()


def test_every_dependency_waits_for_health_or_completion() -> None:
    for name, service in services().items():
        for needed, condition in service.get("depends_on", {}).items():
            assert needed in services(), f"{name} depends on an unknown {needed}"
            wanted = "service_completed_successfully" if needed in ONE_SHOTS else "service_healthy"
            assert condition == {"condition": wanted}, f"{name} -> {needed}"


def test_the_api_starts_after_init_which_starts_after_every_backend() -> None:
    backends = {"redis", "opensearch", "dynamodb"}
    assert set(services()["init"]["depends_on"]) == backends
    assert set(services()["api"]["depends_on"]) == backends | {"init"}


def test_init_is_a_one_shot_of_the_api_image() -> None:
    api, init = services()["api"], services()["init"]
    assert init["command"] == ["filmflare", "init"]
    assert (init["image"], init["build"]) == (api["image"], api["build"])
    assert environment("init") == environment("api")


def test_the_api_environment_passes_the_production_check() -> None:
    variables = environment("api")
    assert unknown_settings(variables) == []
    settings = settings_from(variables)
    assert settings.problems() == []
    assert settings.profile == "production"
    assert (settings.store, settings.cache) == ("dynamodb", "redis")
    assert settings.search in {"opensearch", "elasticsearch"}


def test_the_urls_name_services_of_this_file() -> None:
    variables = environment("api")
    hosts = {name: urlsplit(variables[name]).hostname for name in URL_SETTINGS}
    assert hosts == {
        "FILMFLARE_SEARCH_URL": "opensearch",
        "FILMFLARE_REDIS_URL": "redis",
        "FILMFLARE_DYNAMODB_ENDPOINT": "dynamodb",
    }
    moto_port = services()["dynamodb"]["environment"]["MOTO_PORT"]
    assert urlsplit(variables["FILMFLARE_DYNAMODB_ENDPOINT"]).port == int(moto_port)


def test_the_jwt_secret_is_marked_as_a_development_value() -> None:
    secret = environment("api")["FILMFLARE_JWT_SECRET"]
    assert "development" in secret
    assert "not-for-production" in secret
    assert "DEVELOPMENT ONLY" in COMPOSE.read_text()


@pytest.mark.parametrize("name", FILMFLARE)
def test_filmflare_containers_are_locked_down(name: str) -> None:
    service = services()[name]
    assert service["read_only"] is True
    assert service["tmpfs"] == ["/tmp"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


def test_only_the_api_is_published_and_only_on_loopback() -> None:
    published = {name: s["ports"] for name, s in services().items() if "ports" in s}
    assert list(published) == ["api"]
    assert all(port.startswith("127.0.0.1:") for port in published["api"])


def test_the_backend_images_are_pinned() -> None:
    for name in set(long_running()) - {"api"}:  # the API is built from this repository
        image = services()[name]["image"]
        tag = image.rpartition(":")[2]
        assert tag not in {"", "latest"}, image
        assert any(c.isdigit() for c in tag), image


def test_redis_never_evicts_the_keys_without_a_lifetime() -> None:
    command = services()["redis"]["command"]
    policy = command[command.index("--maxmemory-policy") + 1]
    assert policy.startswith("volatile-"), "the cache's generation counters have no TTL"
