"""Pages of hits in an exact order: tantivy's fast order, then ties resolved in Python.

tantivy orders by score or by a rank (``sort_keys``), breaking ties by its own document
order; here every group of equal score or rank that touches the page is read whole and
ordered by its tie key, so pages are the same whatever the segments look like.

A relevance position is the offset of the next hit; a sorted one is keyed (``keyset``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import tantivy

from filmflare.adapters.embedded_search.documents import read_id, read_tie_key
from filmflare.adapters.embedded_search.schema import rank_field
from filmflare.domain.errors import BadRequest
from filmflare.domain.search import Position

Query = tantivy.Query
Hits = list[tuple[float, tantivy.DocAddress]]  # (primary, address), primary ascending
Ranked = tuple[float, str, tantivy.DocAddress]  # (primary, tie key, address)
_AMPLE = 100


@dataclass(frozen=True, slots=True)
class Found:
    addresses: list[tantivy.DocAddress]
    total: int
    next_position: Position | None


def _same(rank: float) -> float:
    return rank  # a rank is an int: as a float, ranks that differ in low bits would tie


@dataclass(frozen=True, slots=True)
class Order:
    """How to fetch hits in primary order (with the match count, on request), and the keys
    that order hits of equal primary: ``ties``, then, where those tie too, ``refine``'s
    (asked only for the hits that may reach the page: a key read from a stored document
    costs far more than one from a fast field)."""

    search: Callable[[Query, int, bool], tantivy.SearchResult]
    ties: Callable[[list[tantivy.DocAddress]], list[str]]
    rank: str | None  # the rank field; None for relevance
    primary: Callable[[float], float] = _same
    refine: Callable[[list[tantivy.DocAddress]], list[str]] | None = None

    def fetch(self, query: Query, limit: int) -> Hits:
        return [(self.primary(p), a) for p, a in self.search(query, limit, False).hits]

    def counted(self, query: Query, limit: int) -> tuple[Hits, int]:
        """The first ``limit`` hits and how many match, in one pass over the matches."""
        result = self.search(query, limit, True)
        hits = [(self.primary(p), a) for p, a in result.hits]
        return hits, int(result.count)  # type: ignore[attr-defined]


def by_relevance(searcher: tantivy.Searcher) -> Order:
    """Best score first; among equal scores the most voted (no votes last), then by id.

    The votes come from their rank's fast field; an id is read only where votes tie too on
    the page, so a page among many equally scored typo matches reads few stored documents.
    """
    votes = rank_field("votes", descending=True)

    def search(query: Query, limit: int, with_count: bool) -> tantivy.SearchResult:
        return searcher.search(query, limit, count=with_count)

    def ties(addresses: list[tantivy.DocAddress]) -> list[str]:
        return [f"{rank:020d}" for rank in searcher.fast_field_values(votes, addresses)]

    def ids(addresses: list[tantivy.DocAddress]) -> list[str]:
        return [read_id(searcher.doc(address)) for address in addresses]

    return Order(search, ties, None, primary=_negated, refine=ids)


def _negated(score: float) -> float:
    return -score


def by_rank(searcher: tantivy.Searcher, name: str, descending: bool) -> Order:
    field = rank_field(name, descending)

    def search(query: Query, limit: int, with_count: bool) -> tantivy.SearchResult:
        return searcher.search(
            query, limit, count=with_count, order_by_field=field, order=tantivy.Order.Asc
        )

    def ties(addresses: list[tantivy.DocAddress]) -> list[str]:
        return [read_tie_key(searcher.doc(address), name, descending) for address in addresses]

    return Order(search, ties, field)


def count(searcher: tantivy.Searcher, query: Query) -> int:
    """How many documents match (tantivy's stub omits ``SearchResult.count``)."""
    return int(searcher.search(query, 1, count=True).count)  # type: ignore[attr-defined]


def unfit() -> BadRequest:
    return BadRequest("cursor does not fit this query; start again without it")


def exact(
    order: Order,
    query: Query,
    start: int,
    end: int,
    fetched: tuple[Hits, int] | None = None,
    total: int | None = None,
) -> list[Ranked]:
    """Hits ``start`` to ``end`` (``end`` at most the match count) in exact order;
    ``fetched``: the first hits and how many were asked, when the caller has them already;
    ``total``: how many match, when known.

    The group of equal primary at the page's end is read whole. When it runs past the hits
    fetched, every match is fetched in one more pass if their count is known (a typo alone
    often scores thousands of matches the same: one pass, not one per doubling).
    """
    hits, limit = fetched if fetched is not None else (order.fetch(query, end + 1), end + 1)
    while len(hits) == limit and hits[-1][0] == hits[end - 1][0]:
        limit = total + 1 if total is not None else 2 * limit
        hits = order.fetch(query, limit)
    top, bottom = hits[start][0], hits[end - 1][0]
    first = next(i for i, (primary, _) in enumerate(hits) if primary == top)
    last = max(i for i, (primary, _) in enumerate(hits) if primary == bottom)
    window = hits[first : last + 1]
    keys = order.ties([address for _, address in window])
    ranked = sorted(((p, key, a) for (p, a), key in zip(window, keys, strict=True)), key=order_key)
    if order.refine is not None:
        ranked = _refined(order.refine, ranked, start - first, end - first)
    return ranked[start - first : end - first]


def _refined(
    refine: Callable[[list[tantivy.DocAddress]], list[str]], ranked: list[Ranked], lo: int, hi: int
) -> list[Ranked]:
    """``ranked`` with each group of equal keys that reaches into ``lo:hi`` ordered by
    ``refine``'s keys (the others cannot change which hits fall there)."""
    sizes = Counter(order_key(hit) for hit in ranked)
    reaching = {group for hit in ranked[lo:hi] if sizes[group := order_key(hit)] > 1}
    tied = [n for n, hit in enumerate(ranked) if order_key(hit) in reaching]
    if not tied:
        return ranked
    extra = refine([ranked[n][2] for n in tied])
    for n, more in zip(tied, extra, strict=True):
        primary, key, address = ranked[n]
        ranked[n] = (primary, key + more, address)
    return sorted(ranked, key=order_key)


def order_key(hit: Ranked) -> tuple[float, str]:
    return hit[0], hit[1]


def keyed(page: list[Ranked], more: bool) -> Position | None:
    return [int(page[-1][0]), page[-1][1]] if page and more else None


def offset_page(
    searcher: tantivy.Searcher, query: Query, order: Order, start: int, size: int
) -> Found:
    # Ample, so that the group of equal scores at the page's end is rarely cut (which costs
    # another pass): collecting more of the best hits costs little beside matching them.
    asked = max(2 * (start + size), _AMPLE) + 1
    hits, total = order.counted(query, asked)
    end = min(start + size, total)
    if start >= end:
        return Found([], total, None)
    page = exact(order, query, start, end, (hits, asked), total)
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
