"""One search: the request body for a criteria and position, and the page read from the answer.

A page asked by number is read at an offset (``from``; ``criteria`` caps the window at the
engine's 10 000); a page after a position continues with ``search_after``, asking one hit
more than shown to know whether another page follows. Totals are exact.
"""

from __future__ import annotations

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import Json
from filmflare.adapters.search_engine.documents import read_movie
from filmflare.adapters.search_engine.facets import AGGREGATIONS, read_facets
from filmflare.adapters.search_engine.filters import filters
from filmflare.adapters.search_engine.queries import EVERYWHERE, TITLES, text_query
from filmflare.adapters.search_engine.sorting import checked_position, sort_clauses
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.search import Hit, Position, SearchPage


def search_query(criteria: SearchCriteria) -> Json:
    """The movies ``criteria`` asks for, scored by the text alone."""
    must = []
    if criteria.q:
        must.append(text_query(criteria.q, EVERYWHERE))
    if criteria.title:
        must.append(text_query(criteria.title, TITLES))
    return {"bool": {"must": must, "filter": filters(criteria)}}


def search_body(criteria: SearchCriteria, position: Position | None) -> Json:
    sort = criteria.effective_sort
    body: Json = {
        "query": search_query(criteria),
        "sort": sort_clauses(sort),
        "track_total_hits": True,
        "_source": [f.MOVIE],
    }
    if position is None:
        body["from"] = criteria.offset
        body["size"] = criteria.per_page
    else:
        body["search_after"] = checked_position(sort, position)
        body["size"] = criteria.per_page + 1
    if criteria.facets:
        body["aggs"] = {name: AGGREGATIONS[name] for name in criteria.facets}
    return body


def read_page(criteria: SearchCriteria, position: Position | None, answer: Json) -> SearchPage:
    total = int(answer["hits"]["total"]["value"])
    hits = answer["hits"]["hits"]
    if position is None:
        more = criteria.offset + len(hits) < total
    else:
        more = len(hits) > criteria.per_page
        hits = hits[: criteria.per_page]
    next_position: Position | None = list(hits[-1]["sort"]) if more and hits else None
    facets = read_facets(criteria.facets, answer.get("aggregations", {}))
    return SearchPage(total, tuple(Hit(read_movie(hit)) for hit in hits), next_position, facets)
