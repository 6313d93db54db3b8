"""The search contract on a real Elasticsearch (``scripts/search-engine.sh``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.search_engine import ElasticsearchIndex
from filmflare.adapters.search_engine.index import EngineSearchIndex
from tests.contract.search_contract import SearchIndexContract
from tests.infra_search import elasticsearch_url, ensured_index

__all__ = ["elasticsearch_url"]
pytestmark = pytest.mark.infra


@pytest.fixture
async def index(elasticsearch_url: str) -> AsyncIterator[EngineSearchIndex]:
    async for ready in ensured_index("elasticsearch", elasticsearch_url, ElasticsearchIndex):
        yield ready


class TestElasticsearch(SearchIndexContract):
    """Every contract test against a new alias on Elasticsearch."""
