"""The embedded search engine: tantivy inside the process, in RAM or on local disk."""

from filmflare.adapters.embedded_search.index import EmbeddedSearchIndex

__all__ = ["EmbeddedSearchIndex"]
