"""Pages of hits in an exact order: tantivy's fast order, then ties resolved in Python.

tantivy orders by score or by a rank (``sort_keys``), breaking ties by its own document
order; here every group of equal score or rank that touches the page is read whole and
ordered by its tie key, so pages are the same whatever the segments look like.

A relevance position is the offset of the next hit; a sorted one is keyed (``keyset``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tantivy

from filmflare.adapters.embedded_search.documents import read_relevance_tie_key, read_tie_key
from filmflare.adapters.embedded_search.schema import rank_field
from filmflare.domain.errors import BadRequest
from filmflare.domain.search import Position

Query = tantivy.Query
Hits = list[tuple[float, tantivy.DocAddress]]  # (primary, address), primary ascending
Ranked = tuple[float, str, tantivy.DocAddress]  # (primary, tie key, address)


@dataclass(frozen=True, slots=True)
class Found:
    addresses: list[tantivy.DocAddress]
    total: int
    next_position: Position | None


@dataclass(frozen=True, slots=True)
class Order:
    """How to fetch hits in primary order, and the key that orders equal primaries."""

    fetch: Callable[[Query, int], Hits]
    tie: Callable[[tantivy.DocAddress], str]
    rank: str | None  # the rank field; None for relevance


def by_relevance(searcher: tantivy.Searcher) -> Order:
    def fetch(query: Query, limit: int) -> Hits:
        return [(-score, a) for score, a in searcher.search(query, limit, count=False).hits]

    return Order(fetch, lambda address: read_relevance_tie_key(searcher.doc(address)), None)


def by_rank(searcher: tantivy.Searcher, name: str, descending: bool) -> Order:
    field = rank_field(name, descending)

    def fetch(query: Query, limit: int) -> Hits:
        result = searcher.search(
            query, limit, count=False, order_by_field=field, order=tantivy.Order.Asc
        )
        return list(result.hits)

    def tie(address: tantivy.DocAddress) -> str:
        return read_tie_key(searcher.doc(address), name, descending)

    return Order(fetch, tie, field)


def count(searcher: tantivy.Searcher, query: Query) -> int:
    """How many documents match (tantivy's stub omits ``SearchResult.count``)."""
    return int(searcher.search(query, 1, count=True).count)  # type: ignore[attr-defined]


def unfit() -> BadRequest:
    return BadRequest("cursor does not fit this query; start again without it")


def exact(order: Order, query: Query, start: int, end: int) -> list[Ranked]:
    """Hits ``start`` to ``end`` (``end`` at most the match count) in exact order."""
    limit = end + 1
    while True:  # read on until the primary changes, so the last group is whole
        hits = order.fetch(query, limit)
        if len(hits) < limit or hits[-1][0] != hits[end - 1][0]:
            break
        limit *= 2
    top, bottom = hits[start][0], hits[end - 1][0]
    first = next(i for i, (primary, _) in enumerate(hits) if primary == top)
    last = max(i for i, (primary, _) in enumerate(hits) if primary == bottom)
    window = sorted(((p, order.tie(a), a) for p, a in hits[first : last + 1]), key=order_key)
    return window[start - first : end - first]


def order_key(hit: Ranked) -> tuple[float, str]:
    return hit[0], hit[1]


def keyed(page: list[Ranked], more: bool) -> Position | None:
    return [int(page[-1][0]), page[-1][1]] if page and more else None


def offset_page(
    searcher: tantivy.Searcher, query: Query, order: Order, start: int, size: int
) -> Found:
    total = count(searcher, query)
    end = min(start + size, total)
    if start >= end:
        return Found([], total, None)
    page = exact(order, query, start, end)
    more = end < total
    position: Position | None = [end] if more else None
    if order.rank is not None:
        position = keyed(page, more)
    return Found([a for _, _, a in page], total, position)


def read_offset(position: Position) -> int:
    """The offset in a relevance position."""
    if len(position) != 1 or type(position[0]) is not int or position[0] < 0:
        raise unfit()
    return position[0]
