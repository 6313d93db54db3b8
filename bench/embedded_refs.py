"""The embedded profile's reference points, measured in a process of their own (``probe``).

- Query time: the embedded engine (tantivy, in the process) running the adapter's query for
  each search, one at a time, timed around the engine call alone: no HTTP, no cache, no JSON.
- Raw bulk rate: the adapter's tantivy documents added to a scratch index by one writer,
  committed every ``BATCH`` (the import's batch size); the documents are built beforehand.
- Raw put rate: plain ``executemany`` inserts of the adapter's rows into a scratch SQLite file
  with the store's schema and pragmas, one transaction per ``BATCH``.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bench.catalogs import read_movies
from bench.load import from_samples
from filmflare.adapters.embedded_search import searching
from filmflare.adapters.embedded_search.documents import movie_document
from filmflare.adapters.embedded_search.generation import Generation
from filmflare.adapters.embedded_search.store import IndexHome
from filmflare.adapters.sqlite.rows import to_row
from filmflare.adapters.sqlite.schema import INDEXES, INSERT_MOVIES, PRAGMAS, TABLES
from filmflare.config import Settings
from filmflare.domain.query_params import parse_search_params

BATCH = 500  # movies per batch: ImportMovies' and the indexer's batch size


def query_time(settings: Settings, targets_file: str, start: str, seconds: str) -> dict[str, Any]:
    """Run the searches of ``targets_file`` (API paths), from line ``start``, for ``seconds``."""
    targets = Path(targets_file).read_text(encoding="utf-8").split()
    generation = IndexHome(settings.data_dir / "search-index").open(create=False)
    assert generation is not None, "no embedded index: load a catalog first"
    samples: list[float] = []
    began = time.perf_counter()
    n = int(start)
    while time.perf_counter() - began < float(seconds):
        query = urlsplit(targets[n % len(targets)]).query
        criteria = parse_search_params(parse_qsl(query, keep_blank_values=True))
        n += 1
        called = time.perf_counter_ns()
        searching.search(generation.searcher(), generation.schema, criteria, None)
        samples.append((time.perf_counter_ns() - called) / 1000)
    return from_samples(samples, time.perf_counter() - began).as_json()


def bulk_rate(_settings: Settings, rows_file: str) -> dict[str, Any]:
    movies = read_movies(Path(rows_file))
    stamp = time.time_ns()
    documents = [movie_document(movie, stamp) for movie in movies]
    with tempfile.TemporaryDirectory(prefix="bench-tantivy-") as scratch:
        generation = Generation(Path(scratch), create=True)
        began = time.perf_counter()
        with generation.writer() as writer:
            for start in range(0, len(documents), BATCH):
                for document in documents[start : start + BATCH]:
                    writer.add_document(document)
                writer.commit()
        seconds = time.perf_counter() - began
    return {"items": len(documents), "seconds": seconds}


def put_rate(_settings: Settings, rows_file: str) -> dict[str, Any]:
    rows = [to_row(movie) for movie in read_movies(Path(rows_file))]
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as scratch:
        connection = sqlite3.connect(Path(scratch) / "raw.sqlite3", isolation_level=None)
        for statement in (*PRAGMAS, *TABLES, *INDEXES):
            connection.execute(statement)
        began = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO movie_ids (id) VALUES (?)", [r[:1] for r in batch])
            connection.executemany(INSERT_MOVIES, batch)
            connection.execute("COMMIT")
        seconds = time.perf_counter() - began
        connection.close()
    return {"items": len(rows), "seconds": seconds}
