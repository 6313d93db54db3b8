"""What a run is given: its timing, the files every size shares, and each size's target lists.

The target lists are what wrk cycles through (``bench/lua``): hot searches, movies and title
prefixes (cached after one pass), the 90/10 mix's reads and the ids it patches, and ids no
one has asked for yet (uncached reads). Ids come shuffled from the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.queries import hot_prefixes, hot_searches, write_lines

HOT_MOVIES = 100
PATCHED_MOVIES = 500


@dataclass(frozen=True, slots=True)
class Plan:
    """How long and how hard each run drives the server."""

    seconds: float  # per measured run
    connections: int
    ids: int  # movie ids read from the store for the id scenarios


@dataclass(frozen=True, slots=True)
class Inputs:
    """The files every size shares: distinct searches, their engine bodies, import rows (a
    file of new movies per size, each row with an ``external_id``), and the query-cost
    scenario's searches (``query_sets``), when it runs."""

    searches: Path
    bodies: Path
    import_rows: Mapping[str, Path]
    query_sets: Path | None = None


@dataclass(frozen=True, slots=True)
class Lists:
    """This size's target files for wrk."""

    searches: Path
    movies: Path
    prefixes: Path
    reads: Path  # the mix's reads: searches and movies, interleaved
    writes: Path  # ids the mix patches
    uncached_movies: Path

    @classmethod
    def write(cls, directory: Path, ids: list[str]) -> Lists:
        patched = HOT_MOVIES + PATCHED_MOVIES
        hot, writes, cold = ids[:HOT_MOVIES], ids[HOT_MOVIES:patched], ids[patched:]
        searches, movies = hot_searches(), [f"/movies/{i}" for i in hot]
        reads = [t for pair in zip(searches * 3, movies, strict=False) for t in pair]
        return cls(
            searches=write_lines(directory / "searches.txt", searches),
            movies=write_lines(directory / "movies.txt", movies),
            prefixes=write_lines(directory / "prefixes.txt", hot_prefixes()),
            reads=write_lines(directory / "reads.txt", reads),
            writes=write_lines(directory / "writes.txt", writes),
            uncached_movies=write_lines(directory / "cold.txt", [f"/movies/{i}" for i in cold]),
        )

    def hot(self) -> list[str]:
        return [
            line
            for path in (self.searches, self.movies, self.prefixes)
            for line in path.read_text(encoding="utf-8").split()
        ]
