"""One search on one snapshot: the query, the page in the asked order, facets and movies."""

from __future__ import annotations

import tantivy

from filmflare.adapters.embedded_search.documents import read_movie
from filmflare.adapters.embedded_search.facets import count_facets
from filmflare.adapters.embedded_search.filters import filters
from filmflare.adapters.embedded_search.keyset import continued_page
from filmflare.adapters.embedded_search.paging import (
    Found,
    by_rank,
    by_relevance,
    offset_page,
    read_offset,
)
from filmflare.adapters.embedded_search.text_queries import EVERYWHERE, TITLES, text_query
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.search import Hit, Position, SearchPage

Occur = tantivy.Occur
Query = tantivy.Query


def search_query(
    searcher: tantivy.Searcher, schema: tantivy.Schema, criteria: SearchCriteria
) -> Query:
    """The movies ``criteria`` asks for, scored by the text alone."""
    clauses: list[tuple[Occur, Query]] = []
    if criteria.q:
        clauses.append((Occur.Must, text_query(schema, criteria.q, EVERYWHERE)))
    if criteria.title:
        clauses.append((Occur.Must, text_query(schema, criteria.title, TITLES)))
    for only in filters(searcher, schema, criteria):
        clauses.append((Occur.Must, Query.const_score_query(only, 0.0)))
    return Query.boolean_query(clauses)


def _page(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: Query,
    criteria: SearchCriteria,
    position: Position | None,
) -> Found:
    sort = criteria.effective_sort
    size = criteria.per_page
    if sort.field == "relevance":
        start = criteria.offset if position is None else read_offset(position)
        return offset_page(searcher, query, by_relevance(searcher), start, size)
    order = by_rank(searcher, sort.field, sort.descending)
    if position is None:
        return offset_page(searcher, query, order, criteria.offset, size)
    return continued_page(searcher, schema, query, order, position, size)


def search(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    criteria: SearchCriteria,
    position: Position | None,
) -> SearchPage:
    query = search_query(searcher, schema, criteria)
    found = _page(searcher, schema, query, criteria, position)
    hits = tuple(Hit(read_movie(searcher.doc(address))) for address in found.addresses)
    facets = count_facets(searcher, query, criteria.facets) if criteria.facets else {}
    return SearchPage(found.total, hits, found.next_position, facets)
