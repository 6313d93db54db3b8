"""Which connections a worker holds, and which one it closes to make room for a new one.

A connection is busy while it is processing a request (from the end of its header section to
the end of its response), and idle otherwise: waiting on keep-alive, or still sending headers.
At the limit a new connection takes the place of the one idle the longest, so clients that hold
connections open without finishing a request cannot lock others out; only when every
connection is busy is the newcomer refused.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar


class Evictable(Protocol):
    def evict(self) -> None:
        """Close this connection, which the book has already forgotten, to make room."""


C = TypeVar("C", bound=Evictable)


class ConnectionBook(Generic[C]):
    """The open connections of one server; every operation is O(1).

    The idle ones are the keys of a dict, in the order they became idle (a dict keeps
    insertion order), so the first key is the one to evict.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: set[C] = set()
        self._idle: dict[C, None] = {}

    def __len__(self) -> int:
        return len(self._open)

    def admit(self, connection: C) -> bool:
        """Hold ``connection``, idle; False (and not held) when full and none is idle."""
        if len(self._open) >= self.limit:
            if not self._idle:
                return False
            oldest = next(iter(self._idle))
            self.drop(oldest)
            oldest.evict()
        self._open.add(connection)
        self._idle[connection] = None
        return True

    def busy(self, connection: C) -> None:
        """``connection`` has a complete request to process: it may not be evicted."""
        self._idle.pop(connection, None)

    def idle(self, connection: C) -> None:
        """``connection`` finished its response; it joins the idle ones, last."""
        if connection in self._open:
            self._idle[connection] = None

    def drop(self, connection: C) -> None:
        """Forget ``connection`` (closed, or about to be); forgetting twice is harmless."""
        self._open.discard(connection)
        self._idle.pop(connection, None)
