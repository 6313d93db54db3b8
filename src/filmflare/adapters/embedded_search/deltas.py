"""One commit's changes as ``Answers`` carries kept pages through them: ``Delta``, with a
small index of the changed movies before and after, and the rules that say whether a kept
page survives the commit (see ``answers`` for the whole design)."""

from __future__ import annotations

import dataclasses
import threading
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
            elif placed(before, sort) == placed(after, sort):
                continue
        if sort.field == "relevance" or not page.hits:
            return False  # a score is known only in the index it was computed in
        last = last or placed(page.hits[-1].movie, sort)
        if movie_id in was and (before is None or placed(before, sort) < last):
            return False
        if movie_id in now and (after is None or placed(after, sort) < last):
            return False
    return True


def first_page(
    criteria: SearchCriteria, total: int, start: Sequence[Movie], facets: Facets
) -> SearchPage:
    """The first page of a sorted order that begins with ``start``, as the engine pages it:
    its next position is the last hit's rank and tie key (``keyset``)."""
    shown = start[: criteria.per_page]
    more = total > len(shown)
    position: Position | None = None
    if more and shown:
        rank_, tie = placed(shown[-1], criteria.effective_sort)
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
    end = placed(start[-1], sort) if start else None
    known = [movie for movie in start if movie.id not in changed] + [
        after
        for movie_id in now
        if (after := changed[movie_id][1]) is not None
        and (whole or (end is not None and placed(after, sort) < end))
    ]
    size = criteria.per_page
    if len(known) < min(size + 1, total) or (total <= size and len(known) != total):
        return None
    known.sort(key=lambda movie: placed(movie, sort))
    page = first_page(criteria, total, known, facets)
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


def placed(movie: Movie, sort: Sort) -> Placed:
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
