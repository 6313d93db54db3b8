"""How the cache lays out an entry in Redis: ``STAMP \\0 PAYLOAD``.

``STAMP`` is the value the entry's generation held when it was written (decimal digits, or
nothing before the first bump), so a read tells at once whether a bump has retired it.
"""

from __future__ import annotations

NUL = b"\x00"


def current(raw: bytes | None, generation: bytes | None) -> bytes | None:
    """The payload of a stored entry, if it was written under ``generation``."""
    if raw is None:
        return None
    stamp, separator, payload = raw.partition(NUL)
    if not separator or stamp != (generation or b""):
        return None
    return payload
