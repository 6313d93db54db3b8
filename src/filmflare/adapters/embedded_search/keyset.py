"""Continuing a sorted result after a position: the rank and tie key of the last hit shown.

What comes next is the rest of that rank (ordered by tie key), then the ranks above it,
found by a range on the rank: a page costs the same at any depth and nothing is skipped or
repeated when movies are added or removed before the position.
"""

from __future__ import annotations

import tantivy

from filmflare.adapters.embedded_search.paging import (
    Found,
    Order,
    Ranked,
    count,
    exact,
    keyed,
    order_key,
    unfit,
)
from filmflare.adapters.embedded_search.sort_keys import NULL_RANK
from filmflare.domain.search import Position

Query = tantivy.Query


def _read_position(position: Position) -> tuple[int, str]:
    if len(position) != 2:
        raise unfit()
    rank, tie = position
    if type(rank) is not int or not 0 <= rank <= NULL_RANK or not isinstance(tie, str):
        raise unfit()
    return rank, tie


def continued_page(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: Query,
    order: Order,
    position: Position,
    size: int,
) -> Found:
    """The ``size`` hits that come after the position's hit in ``order`` (a rank order)."""
    rank, tie = _read_position(position)
    field = order.rank
    assert field is not None

    def ranks(low: int, high: int | None, include_low: bool) -> Query:
        bounds = Query.range_query(
            schema,
            field,
            tantivy.FieldType.Unsigned,
            lower_bound=low,
            upper_bound=high,
            include_lower=include_low,
        )
        return Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, bounds)])

    same = ranks(rank, rank, True)
    group = [address for _, address in order.fetch(same, max(count(searcher, same), 1))]
    tied: list[Ranked] = [(rank, key, a) for a, key in zip(group, order.ties(group), strict=True)]
    following = sorted((hit for hit in tied if hit[1] > tie), key=order_key)
    page, more = following[:size], len(following) > size
    if not more and rank < NULL_RANK:
        after = ranks(rank, None, False)
        remaining = count(searcher, after)
        end = min(size - len(page), remaining)
        if end:
            page += exact(order, after, 0, end)
        more = end < remaining
    return Found([a for _, _, a in page], count(searcher, query), keyed(page, more))
