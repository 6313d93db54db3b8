"""The query-cost variants on the embedded engine (tantivy, in this very process).

FilmFlare's side is the adapter's whole search (``searching.search``: its query, the page in
the asked order, genre counts when asked, the movies read from the page's documents). The
references build their query, take the first ``per_page`` hits by score with their count,
and read the same movies from the hits' documents:

- ``match``: ``parse_query`` of the folded text on the title (any word, BM25);
- ``multi_match AUTO``: per field, any word as a fuzzy term with Elasticsearch's ``AUTO``
  edits (0 up to 2 characters, 1 up to 5, 2 beyond; a transposition is one edit), the best
  field's score winning (``disjunction_max``, as ``multi_match``'s ``best_fields``).

The engine runs in the probe's process, pinned to one core: its CPU time is the process's
(``time.process_time``, every thread, tantivy's included); the check is ``getrusage``.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import tantivy

from bench import query_cost
from bench.query_cost import FILMFLARE, MATCH, MULTI_MATCH, Answer
from bench.query_sets import read, search_text
from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search import searching
from filmflare.adapters.embedded_search.documents import read_movie
from filmflare.adapters.embedded_search.generation import Generation
from filmflare.adapters.embedded_search.store import IndexHome
from filmflare.config import Settings
from filmflare.domain.movie import Movie
from filmflare.domain.query_params import parse_search_params

Query = tantivy.Query
Search = Callable[[], tuple[int, Sequence[Movie]]]  # the count and the page's movies
TITLE_FIELDS = (f.TITLE, f.ORIGINAL_TITLE)


def auto_edits(word: str) -> int:
    """Elasticsearch's ``fuzziness: AUTO`` for a term of this length."""
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


def fuzzy_any(schema: tantivy.Schema, text: str, fields: Sequence[str]) -> Query:
    """Any word of ``text`` within its ``AUTO`` edits, in the best of ``fields``."""

    def word(field: str, value: str) -> Query:
        edits = auto_edits(value)
        if edits == 0:
            return Query.term_query(schema, field, value)
        return Query.fuzzy_term_query(schema, field, value, distance=edits)

    per_field = [
        Query.boolean_query([(tantivy.Occur.Should, word(field, w)) for w in text.split()])
        for field in fields
    ]
    return Query.disjunction_max_query(per_field)


class TantivyRunner:
    """``query_cost.Runner`` on one generation of the embedded index."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation

    def _plain(self, build: Callable[[], Query], size: int) -> Search:
        def search() -> tuple[int, Sequence[Movie]]:
            searcher = self.generation.searcher()
            found = searcher.search(build(), size, count=True)
            total = int(found.count)  # type: ignore[attr-defined]  # missing from the stub
            return total, [read_movie(searcher.doc(a)) for _, a in found.hits]

        return search

    def prepare(self, api_target: str) -> Mapping[str, Search]:
        g = self.generation
        criteria = parse_search_params(parse_qsl(urlsplit(api_target).query))
        param, text = search_text(api_target)
        fields = f.TEXT_FIELDS if param == "q" else TITLE_FIELDS

        def filmflare() -> tuple[int, Sequence[Movie]]:
            page = searching.search(g.searcher(), g.schema, criteria, None)
            return page.total, [hit.movie for hit in page.hits]

        size = criteria.per_page
        return {
            FILMFLARE: filmflare,
            MATCH: self._plain(lambda: g.index.parse_query(text, [f.TITLE]), size),
            MULTI_MATCH: self._plain(lambda: fuzzy_any(g.schema, text, fields), size),
        }

    def ask(self, request: Search, read: bool = False) -> Answer:
        began = time.perf_counter()
        total, movies = request()
        seconds = time.perf_counter() - began
        found = [(movie.title, movie.year) for movie in movies] if read else []
        return Answer(seconds, total, found)

    def cpu_seconds(self) -> float:
        return time.process_time()

    def check_seconds(self) -> float | None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


def measure(settings: Settings, sets_file: str, rounds: str, warm_up: str) -> dict[str, Any]:
    """``bench.probe query-cost``: the query sets of ``sets_file`` on the embedded index."""
    sets, cases = read(Path(sets_file))
    generation = IndexHome(settings.data_dir / "search-index").open(create=False)
    assert generation is not None, "no embedded index: load a catalog first"
    runner = TantivyRunner(generation)
    answer = query_cost.measure(runner, sets, cases, int(rounds), float(warm_up))
    return {"engine": "embedded", **answer}
