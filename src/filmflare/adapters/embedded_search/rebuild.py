"""Rebuilding: fill a new generation while the current one answers, then swap them.

Writes that reach the current generation meanwhile (from this process or another) carry a
stamp no older than the rebuild, so they and every tombstone are carried over before the
swap; the versioning rules decide, so a change seen twice is harmless.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence

import tantivy

from filmflare.adapters.embedded_search import schema as f
from filmflare.adapters.embedded_search.documents import read_indexed
from filmflare.adapters.embedded_search.generation import Generation
from filmflare.adapters.embedded_search.paging import count
from filmflare.adapters.embedded_search.store import IndexHome
from filmflare.adapters.embedded_search.writes import Write, apply, as_write


def fill(generation: Generation, writes: Sequence[Write], stamp: int) -> None:
    """Write into a generation that is not current yet (no one else writes there)."""
    if not writes:
        return
    with generation.writer() as writer:
        if apply(writer, generation.searcher(), generation.schema, writes, stamp):
            writer.commit()
    generation.reload()


def swap_in(home: IndexHome, fresh: Generation, began: int) -> None:
    """Carry over what changed since ``began`` and every tombstone, then make ``fresh``
    current: all under the current generation's writer lock, so no write falls between."""
    if home.current() is None:
        home.promote(fresh)
        return
    with home.writable() as (current, _locked):
        searcher = current.searcher()
        since = tantivy.Query.range_query(
            current.schema, f.STAMP, tantivy.FieldType.Integer, lower_bound=began
        )
        tombstones = tantivy.Query.term_query(current.schema, f.KIND, f.TOMBSTONE)
        changed = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, since), (tantivy.Occur.Should, tombstones)]
        )
        total = count(searcher, changed)
        hits = searcher.search(changed, total, count=False).hits if total else []
        fill(fresh, [as_write(read_indexed(searcher.doc(a))) for _, a in hits], began)
        home.promote(fresh)


def discard(home: IndexHome, fresh: Generation) -> None:
    """Remove the files of a rebuild that failed before its generation became current."""
    if fresh.directory is not None and home.current() is not fresh:
        shutil.rmtree(fresh.directory, ignore_errors=True)
