"""The OpenAPI document describes what the service does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
WRITES = [("post", "/movies"), *((m, "/movies/{movie_id}") for m in ("put", "patch", "delete"))]


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_it_is_openapi_3_1_with_every_endpoint(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/movies",
        "/movies/{movie_id}",
        "/movies/suggest",
        "/genres",
        "/healthz",
        "/readyz",
        "/metrics",
    }


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_writes_declare_the_bearer_scheme_and_auth_errors(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = document["paths"][path][method]

    assert operation["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "422", "503"} <= set(operation["responses"])
    assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


async def test_bodies_are_closed_schemas_with_the_contract_limits(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    movie_input, patch = schemas["MovieInput"], schemas["MoviePatch"]
    create = document["paths"]["/movies"]["post"]
    update = document["paths"]["/movies/{movie_id}"]["patch"]

    assert movie_input["additionalProperties"] is False
    assert movie_input["required"] == ["title"]
    title = movie_input["properties"]["title"]
    assert (title["type"], title["minLength"], title["maxLength"]) == ("string", 1, 300)
    assert "required" not in patch
    assert patch["additionalProperties"] is False
    assert set(create["requestBody"]["content"]) == {"application/json"}
    assert set(update["requestBody"]["content"]) == {
        "application/merge-patch+json",
        "application/json",
    }


async def test_errors_are_documented_as_problems(document: dict[str, Any]) -> None:
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert set(response["content"]) == {"application/problem+json"}, status
                assert response["headers"]["X-Request-ID"]["required"] is True


async def test_search_parameters_are_documented(document: dict[str, Any]) -> None:
    names = {p["name"] for p in document["paths"]["/movies"]["get"]["parameters"]}

    assert {"q", "genre", "sort", "page", "per_page", "cursor", "facets", "highlight"} <= names


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert "/openapi.json" in response.text
