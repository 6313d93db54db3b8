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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search import searching
from filmflare.adapters.embedded_search.codec import decode_movie
from filmflare.adapters.embedded_search.documents import movie_document
from filmflare.adapters.embedded_search.facets import count_facets
from filmflare.adapters.embedded_search.generation import Generation
from filmflare.adapters.embedded_search.sort_keys import rank, tie_key
from filmflare.adapters.embedded_search.writes import Staged
from filmflare.domain.criteria import SearchCriteria, Sort
from filmflare.domain.movie import Movie
from filmflare.domain.search import FacetBucket, Hit, Position, SearchPage
from filmflare.domain.text import fold

PAGES = 256  # kept pages, the least recently asked dropped first
DELTA_MOVIES = 4096  # changed movies kept in deltas, all together

Key = tuple[SearchCriteria, str]
Facets = dict[str, tuple[FacetBucket, ...]]
Placed = tuple[int, str]  # (rank, tie key): a movie's place in a sorted order
Changed = dict[str, tuple[Movie | None, Movie | None]]  # id: (before, after); None: no movie
_BEFORE, _AFTER = 0, 1  # stamps of the two states in a delta's small index
_ORDERED_BY_COUNT = {"genres"}  # the other facets list their buckets in a fixed order


@dataclass(frozen=True, slots=True)
class Kept:
    """A page, the generation and version it is the answer at, and for the first page of a
    sorted order, the movies that follow its hits in that order."""

    generation: Generation
    version: int
    page: SearchPage
    following: tuple[Movie, ...] = ()


class Delta:
    """What one commit of this process changed in ``generation``, from ``before`` (the version
    it was made on) to ``after``."""

    def __init__(
        self, generation: Generation, before: int, after: int, staged: Sequence[Staged]
    ) -> None:
        self.generation = generation
        self.before = before
        self.after = after
        self.size = len(staged)
        self._staged = staged
        self._built: tuple[Changed, _Small] | None = None
        self._building = threading.Lock()

    def carry(
        self, criteria: SearchCriteria, position: Position | None, kept: Kept, rank: bool
    ) -> Kept | None:
        """``kept`` as it is after this commit; None if that is not known. ``rank``: whether
        its start is sorted again (a sorted first page)."""
        changed, small = self._build()
        matching = small.matching(criteria)
        was, now = matching.ids(_BEFORE), matching.ids(_AFTER)
        if not was and not now:
            return kept
        page = kept.page
        total = page.total + len(now - was) - len(was - now)
        facets = page.facets
        if criteria.facets:
            carried = _carried_facets(facets, matching.facets(_BEFORE), matching.facets(_AFTER))
            if carried is None:
                return None
            facets = carried
        if rank:
            return _ranked_again(criteria, kept, total, facets, now, changed)
        shown = {hit.movie.id for hit in page.hits}
        if (was | now) & shown or not _placed_after(criteria, page, was, now, changed):
            return None
        if total != page.total:
            if position is not None:  # a cursor page does not know its offset
                return None
            more = total > criteria.offset + len(page.hits)
            if more != (page.next_position is not None):
                return None
        return dataclasses.replace(kept, page=dataclasses.replace(page, total=total, facets=facets))

    def _build(self) -> tuple[Changed, _Small]:
        """The changed movies, and a small index of them before and after, made when first
        asked for (on a reader's thread, not the write thread)."""
        with self._building:
            if self._built is None:
                changed = {s.movie_id: (_held_movie(s), s.after) for s in self._staged}
                stamped = [
                    (stamp, movie)
                    for states in changed.values()
                    for stamp, movie in zip((_BEFORE, _AFTER), states, strict=True)
                    if movie is not None
                ]
                self._built = changed, _Small(stamped)
            return self._built


class _Small:
    """Some movies in a small index in RAM, each with a stamp (``_BEFORE``, ``_AFTER``)."""

    def __init__(self, stamped: Iterable[tuple[int, Movie]]) -> None:
        self.generation = Generation(None, create=True)
        with self.generation.writer() as writer:
            for stamp, movie in stamped:
                writer.add_document(movie_document(movie, stamp))
            writer.commit()
        self.generation.reload()

    def matching(self, criteria: SearchCriteria) -> _Matching:
        searcher = self.generation.searcher()
        schema = self.generation.schema
        query = searching.search_query(searcher, schema, criteria)
        return _Matching(searcher, schema, query, criteria)


@dataclass(frozen=True, slots=True)
class _Matching:
    """The movies of a small index that match a search."""

    searcher: tantivy.Searcher
    schema: tantivy.Schema
    query: tantivy.Query
    criteria: SearchCriteria

    def _at(self, stamp: int) -> tantivy.Query:
        when = tantivy.Query.range_query(
            self.schema, f.STAMP, tantivy.FieldType.Integer, lower_bound=stamp, upper_bound=stamp
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, self.query), (tantivy.Occur.Must, when)]
        )

    def ids(self, stamp: int) -> set[str]:
        """The ids of those that match, as they were (``_BEFORE``) or are (``_AFTER``)."""
        hits = self.searcher.search(self._at(stamp), max(1, self.searcher.num_docs), count=False)
        return {str(self.searcher.doc(address).get_first(f.ID)) for _, address in hits.hits}

    def facets(self, stamp: int) -> Facets:
        return count_facets(self.searcher, self._at(stamp), self.criteria.facets)


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


def _held_movie(staged: Staged) -> Movie | None:
    held = staged.before
    return None if held is None or held.source is None else decode_movie(held.source)


def _placed_after(
    criteria: SearchCriteria, page: SearchPage, was: set[str], now: set[str], changed: Changed
) -> bool:
    """Whether the changed matches leave the page's hits as they are: each stays where it was
    in the order, or lies after the page's last hit both before (if it matched) and after (if
    it matches). The caller has made sure that none of them is on the page."""
    sort = criteria.effective_sort
    last: Placed | None = None
    for movie_id in was | now:
        before, after = changed[movie_id]
        if before is not None and after is not None and movie_id in was and movie_id in now:
            if sort.field == "relevance":
                if _relevance(before) == _relevance(after):
                    continue
            elif _placed(before, sort) == _placed(after, sort):
                continue
        if sort.field == "relevance" or not page.hits:
            return False  # a score is known only in the index it was computed in
        last = last or _placed(page.hits[-1].movie, sort)
        if movie_id in was and (before is None or _placed(before, sort) < last):
            return False
        if movie_id in now and (after is None or _placed(after, sort) < last):
            return False
    return True


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
    return _first_page(criteria, deep.total, start, deep.facets), tuple(start[size:])


def _first_page(
    criteria: SearchCriteria, total: int, start: Sequence[Movie], facets: Facets
) -> SearchPage:
    """The first page of a sorted order that begins with ``start``, as the engine pages it:
    its next position is the last hit's rank and tie key (``keyset``)."""
    shown = start[: criteria.per_page]
    more = total > len(shown)
    position: Position | None = None
    if more and shown:
        rank_, tie = _placed(shown[-1], criteria.effective_sort)
        position = [rank_, tie]
    return SearchPage(total, tuple(Hit(movie) for movie in shown), position, facets)


def _ranked_again(
    criteria: SearchCriteria,
    kept: Kept,
    total: int,
    facets: Facets,
    now: set[str],
    changed: Changed,
) -> Kept | None:
    """``kept``, a sorted first page and the movies that follow it (the start of the order),
    after a commit that changed the movies ``changed``, of which ``now`` match: the start
    without the changed movies, plus those that match now inside it (after it, they may have
    unknown movies before them), sorted again. None when that start no longer fills the
    page."""
    sort = criteria.effective_sort
    start = [hit.movie for hit in kept.page.hits] + list(kept.following)
    whole = kept.page.total == len(start)  # the start is every match
    end = _placed(start[-1], sort) if start else None
    known = [movie for movie in start if movie.id not in changed] + [
        after
        for movie_id in now
        if (after := changed[movie_id][1]) is not None
        and (whole or (end is not None and _placed(after, sort) < end))
    ]
    size = criteria.per_page
    if len(known) < min(size + 1, total) or (total <= size and len(known) != total):
        return None
    known.sort(key=lambda movie: _placed(movie, sort))
    page = _first_page(criteria, total, known, facets)
    return dataclasses.replace(kept, page=page, following=tuple(known[size : 2 * size]))


def _carried_facets(kept: Facets, gone: Facets, came: Facets) -> Facets | None:
    """``kept``, the facet counts before, less what the changed matches counted before and
    plus what they count now; None when that changes which buckets there are, or the counts
    of genres (listed by their counts)."""
    carried: Facets = {}
    for name, buckets in kept.items():
        less = {b.value: b.count for b in gone.get(name, ())}
        more = {b.value: b.count for b in came.get(name, ())}
        if less == more:
            carried[name] = buckets
            continue
        if name in _ORDERED_BY_COUNT:
            return None
        counts = {b.value: b.count for b in buckets}
        for value, count in less.items():
            counts[value] = counts.get(value, 0) - count
        for value, count in more.items():
            counts[value] = counts.get(value, 0) + count
        alive = {value for value, count in counts.items() if count > 0}
        if alive != {b.value for b in buckets} or min(counts.values()) < 0:
            return None
        carried[name] = tuple(FacetBucket(b.value, counts[b.value]) for b in buckets)
    return carried


def _placed(movie: Movie, sort: Sort) -> Placed:
    """The engine's order for a sort: the rank, then the tie key (``sort_keys``)."""
    name, descending = sort.field, sort.descending
    return rank(movie, name, descending), tie_key(name, descending, movie.id, fold(movie.title))


def _relevance(movie: Movie) -> tuple[object, ...]:
    """What a movie's relevance and its place among equally relevant ones come from: its
    words, and the votes and id that order equal scores."""
    return (
        movie.title,
        movie.original_title,
        movie.directors,
        movie.cast,
        movie.overview,
        movie.votes,
    )
