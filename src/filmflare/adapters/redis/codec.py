"""How the cache lays out values in Redis.

- An entry (``set``) is ``\\0 EPOCH \\0 PAYLOAD``: the epoch it was written under, then the
  bytes the port was given. The leading NUL never starts an integer, so entries and counters
  cannot be mistaken for one another.
- A counter (``incr``) is the plain decimal integer Redis's ``INCR`` keeps.
"""

from __future__ import annotations

from enum import Enum

NUL = b"\x00"


class Kind(Enum):
    ENTRY = "entry"
    COUNTER = "counter"
    ABSENT = "absent"


def decode(raw: bytes | None, epoch: bytes) -> tuple[Kind, bytes | None]:
    """What a stored value means under ``epoch``: an entry of another epoch is absent."""
    if raw is None:
        return Kind.ABSENT, None
    if not raw.startswith(NUL):
        return Kind.COUNTER, raw
    stop = raw.index(NUL, 1)
    if raw[1:stop] != epoch:
        return Kind.ABSENT, None
    return Kind.ENTRY, raw[stop + 1 :]
