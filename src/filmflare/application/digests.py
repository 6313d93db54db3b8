"""Search-like answers carry a digest of their bytes, made once and cached with them.

Searches, suggestions and genre counts (every answer cached under ``SEARCH_GENERATION``) are
cached as ``DIGEST BODY``: the digest is computed when the answer is made, so a reader gets it
with the answer for the cost of a slice, not of hashing the body again. The HTTP edge sends it
as the answer's weak ``ETag``.

It depends on the bytes alone, so every process, replica and cache gives an answer the same
digest, and it changes exactly when the bytes do: a write that changes an answer changes its
digest as soon as the answer is recomputed (the indexer retires the cached one once the index
shows the write), and a write that leaves an answer byte-identical leaves its digest as it
was, so a client's copy rightly stays current. 96 bits of SHA-256 make a collision (a changed
answer that keeps its digest) a practical impossibility.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from filmflare.application.cache_keys import SEARCH_GENERATION, SEARCH_TTL
from filmflare.application.response_cache import Lookup, ResponseCache

DIGEST_BYTES = 12
#: Characters of a digest: ``DIGEST_BYTES`` in base64url, which needs no padding for them.
DIGEST_LENGTH = DIGEST_BYTES * 4 // 3


class Digested(NamedTuple):
    """An answer's bytes and their digest, ``DIGEST_LENGTH`` characters of ``A-Za-z0-9_-``.
    (A tuple: one is unpacked on every cached read.)"""

    digest: bytes
    body: bytes

    def pack(self) -> bytes:
        return self.digest + self.body

    @classmethod
    def unpack(cls, packed: bytes) -> Digested:
        # tuple.__new__: a named tuple's own __new__ costs as much as the two slices.
        return tuple.__new__(cls, (packed[:DIGEST_LENGTH], packed[DIGEST_LENGTH:]))


def digested(body: bytes) -> Digested:
    # SHA-256 rather than BLAKE2: CPUs with SHA instructions hash a page of results in half
    # the time.
    digest = hashlib.sha256(body).digest()[:DIGEST_BYTES]
    return Digested(base64.urlsafe_b64encode(digest), body)


async def search_answer(
    cache: ResponseCache,
    key: str,
    compute: Callable[[], Awaitable[bytes]],
    seen: Lookup | None = None,
) -> Digested:
    """The search-like answer cached at ``key``, or ``compute()``'s, with its digest; ``seen``:
    what a read of ``key`` under ``SEARCH_GENERATION`` has just found, if one was made."""

    async def fill() -> bytes:
        return digested(await compute()).pack()

    return Digested.unpack(await cache.answer(key, SEARCH_GENERATION, SEARCH_TTL, fill, seen))
