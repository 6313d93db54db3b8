"""The cache's key scheme, shared by the readers and the writers that invalidate them.

Every cached response is stored under a generation (see the ``Cache`` port); a writer bumps
it, which retires every response stored under it at once, in every process.

- Search-like answers (searches, suggestions, genre counts) live under ``SEARCH_GENERATION``,
  which the indexer bumps once the index shows a batch of changes.
- A movie's response lives under its bucket's generation (``movie_generation``), which a
  write of the movie bumps. Movies share ``MOVIE_BUCKETS`` buckets, so a write retires the
  cached responses of the few other movies in its bucket too (a miss each, never a stale
  read), and a recovery after a lost invalidation has a bounded set of counters to move.

Keys carry their generation's tag in braces, so that a cache spread over several servers
(Redis Cluster) keeps each entry beside the counter it is read with.
"""

from __future__ import annotations

import functools
import hashlib
import zlib

SEARCH_GENERATION = "gen:{search}"
MOVIE_BUCKETS = 1024
MOVIE_TTL = 300.0
SEARCH_TTL = 60.0
SEARCH_LAYOUT = "d1"


@functools.lru_cache(maxsize=65536)  # a cached read names its keys on every request
def movie_keys(movie_id: str) -> tuple[str, str]:
    """Where a movie's response is cached, and the generation it is cached under."""
    bucket = f"{{m{zlib.crc32(movie_id.encode()) % MOVIE_BUCKETS}}}"
    return f"movie:{bucket}:{movie_id}", f"gen:{bucket}"


def movie_key(movie_id: str) -> str:
    return movie_keys(movie_id)[0]


def movie_generation(movie_id: str) -> str:
    return movie_keys(movie_id)[1]


def search_key(kind: str, identity: str) -> str:
    """Where a search-like answer is cached: ``kind`` and a digest of what it depends on.

    ``SEARCH_LAYOUT`` names how the value is laid out (``digests``: the answer's digest, then
    its bytes), so a process of another release, which lays it out otherwise, reads other keys
    during a rolling update instead of serving a value it would misread.
    """
    digest = hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()
    return f"{kind}:{{search}}:{SEARCH_LAYOUT}:{digest}"


#: Every generation there is: what a recovery after a lost invalidation bumps.
GENERATIONS = (SEARCH_GENERATION, *(f"gen:{{m{n}}}" for n in range(MOVIE_BUCKETS)))
