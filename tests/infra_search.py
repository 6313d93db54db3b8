"""A real OpenSearch or Elasticsearch for the tests, one per engine and test session.

The URL comes from ``FILMFLARE_TEST_OPENSEARCH_URL`` / ``FILMFLARE_TEST_ELASTICSEARCH_URL``,
else from the server ``scripts/search-engine.sh start`` left running (``.infra/<engine>.url``),
else the fixture starts an instance of its own with that script when the distribution is
installed (and stops it at the end), else the tests skip (a failure under
``FILMFLARE_REQUIRE_INFRA=1``).

Each test gets its own alias (and so its own index generations), made by the adapter's
``ensure`` as ``filmflare init`` does, and deleted afterwards.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from filmflare.adapters.search_engine.client import EngineClient
from filmflare.adapters.search_engine.elasticsearch import ElasticsearchClient
from filmflare.adapters.search_engine.generations import numbered, pattern
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.adapters.search_engine.opensearch import OpenSearchClient
from tests.conftest import skip_without

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "search-engine.sh"
START_TIMEOUT = 240  # seconds; a start takes about 10
CLIENTS: dict[str, Callable[[str], EngineClient]] = {
    "opensearch": OpenSearchClient,
    "elasticsearch": ElasticsearchClient,
}


def _is_engine(url: str, engine: str) -> bool:
    """Does ``url`` answer as ``engine``? (Elasticsearch names itself in a header.)"""
    health = url.rstrip("/") + "/_cluster/health"
    try:
        with urllib.request.urlopen(health, timeout=3) as answer:  # noqa: S310 - a test URL
            product = str(answer.headers.get("X-Elastic-Product"))
    except OSError:
        return False
    return (product == "Elasticsearch") == (engine == "elasticsearch")


def _script(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def engine_url(engine: str) -> Iterator[str]:
    """The body of a session fixture: the URL of a running ``engine``."""
    given = os.environ.get(f"FILMFLARE_TEST_{engine.upper()}_URL")
    if given:
        yield given
        return
    url_file = ROOT / ".infra" / f"{engine}.url"
    if url_file.exists() and _is_engine(url := url_file.read_text().strip(), engine):
        yield url
        return
    if _script("available", engine).returncode != 0:
        skip_without(engine, f"not installed: run `bash scripts/search-engine.sh install {engine}`")
    own = f"{engine}-pytest-{os.getpid()}"  # an instance no other test session can stop
    started = _script("start", engine, own)
    if started.returncode != 0:
        skip_without(engine, f"scripts/search-engine.sh start failed: {started.stderr[-2000:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        _script("stop", engine, own)


def unique_alias() -> str:
    return f"filmflare-test-{uuid.uuid4().hex[:12]}"


async def drop(client: EngineClient, alias: str) -> None:
    """Delete every generation of ``alias`` (names only: wildcard deletes may be refused)."""
    for name in numbered(alias, await client.index_names(pattern(alias))).values():
        await client.delete_index(name)


async def ensured_index(
    engine: str, url: str, make: Callable[[str, str], EngineSearchIndex]
) -> AsyncIterator[EngineSearchIndex]:
    """The body of an ``index`` fixture: a started, ensured, empty index under a new alias."""
    alias = unique_alias()
    index = make(url, alias)
    await index.start()
    try:
        await index.ensure()
        yield index
    finally:
        await index.close()
        await drop_alias(engine, url, alias)


async def drop_alias(engine: str, url: str, alias: str) -> None:
    """Delete what a test made under ``alias`` on a shared engine."""
    cleaner = CLIENTS[engine](url)
    await cleaner.start()
    try:
        await drop(cleaner, alias)
    finally:
        await cleaner.close()


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    yield from engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    yield from engine_url("elasticsearch")
