"""An OpenSearch or Elasticsearch that does not answer is ``BackendUnavailable("search")``."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable

import pytest

from filmflare.adapters.search_engine import ElasticsearchIndex, OpenSearchIndex
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.errors import BackendUnavailable
from tests.contract.search_contract import movie

pytestmark = pytest.mark.anyio


def _closed_port_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("make", [OpenSearchIndex, ElasticsearchIndex])
async def test_an_engine_that_does_not_answer_is_unavailable(
    make: Callable[[str, str], EngineSearchIndex],
) -> None:
    index = make(_closed_port_url(), "movies")
    with pytest.raises(BackendUnavailable, match="search"):
        await index.ping()  # not started: no client yet
    await index.start()
    try:
        attempts: list[Callable[[], Awaitable[object]]] = [
            index.ping,
            lambda: index.search(SearchCriteria(q="heat"), None),
            lambda: index.suggest("hea", 5),
            index.genres,
            lambda: index.upsert([movie("1", "One")]),
            lambda: index.delete([("1", 2)]),
            index.ensure,
        ]
        for attempt in attempts:
            with pytest.raises(BackendUnavailable, match="search"):
                await attempt()
    finally:
        await index.close()
