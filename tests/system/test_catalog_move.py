"""A catalog moved between profiles: ``filmflare export`` on the embedded profile, ``import
--keep-ids`` on the production one (DynamoDB, OpenSearch, Redis), and back into a new embedded
directory. Every id, field and creation time arrives intact, the moved movies are found by
search there, and moving the same file again writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.system.api_process import ApiProcess, running
from tests.system.commands import (
    embedded,
    exported,
    filmflare,
    moto_url,
    opensearch_url,
    production_settings,
    redis_url,
)

__all__ = ["moto_url", "opensearch_url", "production_settings", "redis_url"]  # fixtures
pytestmark = [pytest.mark.infra, pytest.mark.slow]
MOVIES = 300
_SERVER_FIELDS = ("version", "updated_at")  # a moved movie starts a new history


def catalog_rows() -> list[dict[str, Any]]:
    return [
        {
            "title": f"Moved Movie {n}",
            "votes": n,
            "rating": round(1 + n % 90 / 10, 1),
            "genres": ["Drama", "Comedy"][: 1 + n % 2],
            "release_date": f"{1950 + n % 70}-0{1 + n % 9}-1{n % 10}",
            "directors": [f"Director {n % 17}"],
            "cast": [f"Actor {n % 23}", f"Actor {n % 29}"],
        }
        | ({"external_id": f"feed:{n}"} if n % 2 else {})
        for n in range(1, MOVIES + 1)
    ]


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: {k: v for k, v in row.items() if k not in _SERVER_FIELDS} for row in rows}


def test_a_catalog_moves_to_production_and_back(
    tmp_path: Path, production_settings: dict[str, str]
) -> None:
    here, there, back = (
        embedded(tmp_path / "here"),
        production_settings,
        embedded(tmp_path / "back"),
    )
    source = tmp_path / "catalog.ndjson"
    source.write_text("".join(json.dumps(r) + "\n" for r in catalog_rows()), encoding="utf-8")
    filmflare(here, tmp_path, "import", str(source))
    filmflare(here, tmp_path, "export", str(tmp_path / "here.ndjson"))
    original = by_id(exported(here, tmp_path))
    assert len(original) == MOVIES

    moved = filmflare(there, tmp_path, "import", "--keep-ids", str(tmp_path / "here.ndjson"))
    assert f"{MOVIES} rows created, 0 updated, 0 unchanged, 0 rejected" in moved
    assert by_id(exported(there, tmp_path)) == original
    assert searched(tmp_path, there) == set(original)

    again = filmflare(
        there, tmp_path, "import", "--keep-ids", "--restart", str(tmp_path / "here.ndjson")
    )
    assert f"0 rows created, 0 updated, {MOVIES} unchanged, 0 rejected" in again

    filmflare(there, tmp_path, "export", str(tmp_path / "there.ndjson"))
    filmflare(back, tmp_path, "import", "--keep-ids", str(tmp_path / "there.ndjson"))
    assert by_id(exported(back, tmp_path)) == original


def searched(workdir: Path, settings: dict[str, str]) -> set[str]:
    """The ids a search for the catalog's common title word lists, page after page, through
    an API process on ``settings``."""
    (workdir / "api").mkdir()
    api = ApiProcess(
        workdir / "api", {k: v for k, v in settings.items() if k.startswith("FILMFLARE_")}
    )
    ids: set[str] = set()
    with running(api):
        query: dict[str, str] = {"q": "moved", "per_page": "100"}
        while True:
            page = (
                httpx.get(f"{api.url}/movies", params=query, timeout=30).raise_for_status().json()
            )
            ids |= {movie["id"] for movie in page["results"]}
            if page["next_cursor"] is None:
                return ids
            query["cursor"] = page["next_cursor"]
