"""The production search index on OpenSearch or Elasticsearch: one mapping and query builder,
two thin client wrappers.

The two indexes are loaded on first use, so that a process imports only the SDK it uses
(each takes seconds to import).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filmflare.adapters.search_engine.elasticsearch import ElasticsearchIndex
    from filmflare.adapters.search_engine.opensearch import OpenSearchIndex

__all__ = ["ElasticsearchIndex", "OpenSearchIndex"]
_HOMES = {"ElasticsearchIndex": "elasticsearch", "OpenSearchIndex": "opensearch"}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
