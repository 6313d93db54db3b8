"""The cache's key scheme, shared by the readers and the writers that invalidate them.

- ``movie:{id}`` holds one movie's response; a write deletes it after bumping
  ``MOVIES_GENERATION``, which readers use as the guard of their ``set``.
- Every search-like response embeds ``SEARCH_GENERATION`` in its key. The indexer bumps it
  once the index shows a batch of changes, so one increment retires every cached search.
"""

from __future__ import annotations

import hashlib

MOVIES_GENERATION = "gen:movies"
SEARCH_GENERATION = "gen:search"
MOVIE_TTL = 300.0
SEARCH_TTL = 60.0


def movie_key(movie_id: str) -> str:
    return f"movie:{movie_id}"


def search_key_parts(kind: str, normalized: str) -> tuple[str, str]:
    """A search-like answer's key is ``head + generation + tail`` (generation ``0`` when the
    counter is absent or empty); this returns head and tail."""
    digest = hashlib.blake2b(normalized.encode(), digest_size=16).hexdigest()
    return f"{kind}:", f":{digest}"
