"""The search contract on a real OpenSearch (``scripts/search-engine.sh``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmflare.adapters.search_engine import OpenSearchIndex
from filmflare.adapters.search_engine.index import EngineSearchIndex
from tests.contract.search_contract import SearchIndexContract
from tests.infra_search import ensured_index, opensearch_url

__all__ = ["opensearch_url"]
pytestmark = pytest.mark.infra


@pytest.fixture
async def index(opensearch_url: str) -> AsyncIterator[EngineSearchIndex]:
    async for ready in ensured_index("opensearch", opensearch_url, OpenSearchIndex):
        yield ready


class TestOpenSearch(SearchIndexContract):
    """Every contract test against a new alias on OpenSearch."""
