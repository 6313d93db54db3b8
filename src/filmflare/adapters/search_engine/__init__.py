"""The production search index on OpenSearch or Elasticsearch: one mapping and query builder,
two thin client wrappers."""

from filmflare.adapters.search_engine.elasticsearch import ElasticsearchIndex
from filmflare.adapters.search_engine.opensearch import OpenSearchIndex

__all__ = ["ElasticsearchIndex", "OpenSearchIndex"]
