"""Property-based conformance: the app against its own OpenAPI document (Schemathesis).

Every operation gets generated requests, valid and invalid, with a writer's token so that
writes run too; most ids are swapped for those of seeded movies so that reads and writes reach
existing ones. Checks: no 5xx, and status codes, content types, headers and bodies as
documented. (Operations are parametrized here rather than with ``schema.parametrize()``,
whose lazy fixture loader does not run on pytest 9.)
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.python import asgi

from filmflare.bootstrap import build
from filmflare.entrypoints.http.app import create_app
from tests.http.conftest import MOVIE, bearer, settings_for

SEEDED = 12
EXAMPLES = 500
OPERATIONS = [
    ("POST", "/movies"),
    ("GET", "/movies"),
    ("GET", "/movies/{movie_id}"),
    ("PUT", "/movies/{movie_id}"),
    ("PATCH", "/movies/{movie_id}"),
    ("DELETE", "/movies/{movie_id}"),
    ("GET", "/movies/suggest"),
    ("GET", "/genres"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
]
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
]


async def _seed(data_dir: Path) -> list[str]:
    """Movies committed before the app under test starts (its indexer catches up on them)."""
    async with build(settings_for("embedded", data_dir)) as container:
        await container.init()
        movies = [
            await container.add_movie.execute(MOVIE | {"title": f"Seeded {n}", "votes": n})
            for n in range(SEEDED)
        ]
    return [movie.id for movie in movies]


@pytest.fixture(scope="module")
def seeded_ids(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    data_dir = tmp_path_factory.mktemp("schemathesis")
    return data_dir, anyio.run(_seed, data_dir)


@pytest.fixture(scope="module")
def api_schema(seeded_ids: tuple[Path, list[str]]) -> Iterator[Any]:
    app = create_app(build(settings_for("embedded", seeded_ids[0])))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    asgi.shutdown_lifespans()  # stop the app's lifespan (indexer, store) started for the run


def test_every_operation_is_exercised(api_schema: Any) -> None:
    documented = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert documented == set(OPERATIONS)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_operation_conforms_to_the_document(
    api_schema: Any, seeded_ids: tuple[Path, list[str]], method: str, path: str
) -> None:
    operation = api_schema[path][method]
    ids = seeded_ids[1]
    cases = st.one_of([operation.as_strategy(mode) for mode in schemathesis.GenerationMode])

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=cases)
    def conforms(case: Any) -> None:
        generated = (case.path_parameters or {}).get("movie_id")
        if isinstance(generated, str) and zlib.crc32(generated.encode()) % 4:
            # Three in four requests address a real movie; the rest exercise the 404s.
            case.path_parameters["movie_id"] = ids[len(generated) % len(ids)]
        case.call_and_validate(headers=bearer(), checks=CHECKS)

    conforms()
