"""Sort order as numbers: a rank per movie and sort, plus a tie key for equal ranks.

tantivy orders hits fast by an unsigned fast field and filters it by range, so every sort
gets a rank whose ascending order is the wanted order (complemented for a descending sort),
with null as the largest rank in both directions. Movies with equal ranks are ordered by
their tie key: the id, ascending in both directions; for titles, which rank by their first
8 folded bytes only, the whole folded title first.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime

from filmflare.domain.movie import Movie
from filmflare.domain.text import fold

NULL_RANK = (1 << 64) - 1
_TOP = NULL_RANK - 1  # the largest rank a value may take
_SIGN = 1 << 63
_COMPLEMENT = str.maketrans("0123456789abcdef", "fedcba9876543210")


def _integer(value: int) -> int:
    return min(max(value + _SIGN, 0), _TOP)


def _float(value: float) -> int:
    bits: int = struct.unpack(">Q", struct.pack(">d", value))[0]
    return min(bits ^ NULL_RANK if bits & _SIGN else bits | _SIGN, _TOP)


def _milliseconds(moment: datetime) -> int:
    """Milliseconds since the epoch: the precision every store keeps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _ascending_rank(movie: Movie, name: str) -> int | None:
    if name == "title":
        return min(int.from_bytes(fold(movie.title).encode()[:8].ljust(8, b"\0")), _TOP)
    if name == "rating":
        return None if movie.rating is None else _float(float(movie.rating))
    if name == "created_at":
        return _integer(_milliseconds(movie.created_at))
    value = movie.year if name == "year" else movie.votes
    return None if value is None else _integer(value)


def rank(movie: Movie, name: str, descending: bool) -> int:
    ascending = _ascending_rank(movie, name)
    if ascending is None:
        return NULL_RANK
    return _TOP - ascending if descending else ascending


def tie_key(name: str, descending: bool, movie_id: str, folded_title: str) -> str:
    """Orders movies of equal rank as plain strings do."""
    if name != "title":
        return movie_id
    encoded = folded_title.encode().hex()
    if descending:  # "~" sorts after every hex digit, so a longer title comes first
        return encoded.translate(_COMPLEMENT) + "~" + movie_id
    return encoded + "." + movie_id  # "." sorts before them, so a shorter title comes first
