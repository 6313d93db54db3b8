"""Search pages kept across commits, carried through each commit that cannot change them.

A commit changes a few movies, yet it retires every cached search answer (the indexer bumps
the search generation), and computing those answers again costs what a search over the whole
catalog costs. So each page computed is kept with the state it was computed on, and each
commit of this process leaves a ``Delta``: the movies it changed, before and after. A page
asked again at a later state is carried through the deltas in between, each looked at over
the changed movies alone, in small indexes of their own: a cost that does not grow with the
catalog. Through one delta, looking only at the changed movies that match the search before
or after it:

- none: the page is the same;
- none on the page, and each keeps its place in the order (for relevance: the same words
  and votes) or, in a sorted order, lies after the page's last hit wherever it matches: the
  same hits, and the total less those that left the matches plus those that joined;
- the first page of a sorted order: its hits, and as many movies again that follow them
  (``Kept.following``), are the start of the order; the changed movies placed inside it join
  or leave it, and that start is sorted again by the same keys as the engine's order
  (``sort_keys``), for as long as it still fills the page.

Facet counts are carried as the counts less what the changed movies counted before, plus
what they count now, as long as the same buckets remain (and, for genres, which are listed by
their counts, the same counts). Anything else computes the page again: a change that may
reach it otherwise, a commit of another process (no delta), a rebuild (another generation),
a delta no longer kept.

Relevance is BM25 over index-wide statistics that every commit and merge nudges; a page
kept across commits that do not touch its matches keeps the order it had, as it would
across a merge.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence

import tantivy

from filmflare.adapters.embedded_search import searching
from filmflare.adapters.embedded_search.deltas import Delta, Kept, first_page
from filmflare.adapters.embedded_search.generation import Generation
from filmflare.adapters.embedded_search.writes import Staged
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie
from filmflare.domain.search import Position, SearchPage

PAGES = 256  # kept pages, the least recently asked dropped first
DELTA_MOVIES = 4096  # changed movies kept in deltas, all together

Key = tuple[SearchCriteria, str]


class Answers:
    """The pages kept, and the deltas of this process's latest commits."""

    def __init__(self, pages: int = PAGES, delta_movies: int = DELTA_MOVIES) -> None:
        self._pages = pages
        self._delta_movies = delta_movies
        self._lock = threading.Lock()
        self._kept: OrderedDict[Key, Kept] = OrderedDict()
        self._deltas: deque[Delta] = deque()
        self._held = 0  # changed movies in ``_deltas``
        self.computed = 0  # pages computed over the whole index, not carried: what tests count

    def search(
        self, generation: Generation, criteria: SearchCriteria, position: Position | None
    ) -> SearchPage:
        """The page for ``criteria`` at ``position`` now: carried, or computed and kept."""
        version, searcher = generation.snapshot()
        key = (criteria, json.dumps(position))
        with self._lock:
            kept = self._kept.get(key)
            chain = None if kept is None else self._chain(generation, kept, version)
        ranks = _sorted_first(criteria, position)
        carried = kept if chain is not None else None
        for delta in chain or ():
            if carried is None:
                break
            carried = delta.carry(criteria, position, carried, ranks)
        if carried is not None:
            if chain:
                self._keep(key, dataclasses.replace(carried, version=version))
            return carried.page
        if ranks:  # it will be sorted again: keep the movies that follow it too
            page, following = _deep(searcher, generation.schema, criteria)
        else:
            page, following = searching.search(searcher, generation.schema, criteria, position), ()
        self._keep(key, Kept(generation, version, page, following), computed=True)
        return page

    def record(
        self, generation: Generation, before: int, after: int, staged: Sequence[Staged]
    ) -> None:
        """Note a commit of this process that took ``generation`` from ``before`` to ``after``."""
        with self._lock:
            self._deltas.append(Delta(generation, before, after, staged))
            self._held += len(staged)
            while self._deltas and self._held > self._delta_movies:
                self._held -= self._deltas.popleft().size

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._deltas.clear()
            self._held = 0

    def _keep(self, key: Key, kept: Kept, computed: bool = False) -> None:
        with self._lock:
            self.computed += computed
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self._pages:
                self._kept.popitem(last=False)

    def _chain(self, generation: Generation, kept: Kept, end: int) -> list[Delta] | None:
        """The deltas from ``kept``'s version to ``end``; None unless every step is known."""
        if kept.generation is not generation:
            return None
        chain: list[Delta] = []
        at = kept.version
        for delta in self._deltas:
            if at == end:
                break
            if delta.generation is generation and delta.before == at:
                chain.append(delta)
                at = delta.after
        return chain if at == end else None


def _sorted_first(criteria: SearchCriteria, position: Position | None) -> bool:
    """Whether this is the first page of a sorted order (kept with the movies after it)."""
    sort_first = criteria.effective_sort.field != "relevance" and position is None
    return sort_first and criteria.page == 1


def _deep(
    searcher: tantivy.Searcher, schema: tantivy.Schema, criteria: SearchCriteria
) -> tuple[SearchPage, tuple[Movie, ...]]:
    """The first page of a sorted order and as many movies again that follow it."""
    size = criteria.per_page
    deep = searching.search(
        searcher, schema, dataclasses.replace(criteria, per_page=2 * size), None
    )
    start = [hit.movie for hit in deep.hits]
    return first_page(criteria, deep.total, start, deep.facets), tuple(start[size:])
