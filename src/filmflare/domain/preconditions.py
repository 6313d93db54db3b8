"""Conditional writes: which versions an ``If-Match`` accepts."""

from __future__ import annotations

from dataclasses import dataclass

from filmflare.domain.errors import VersionConflict


@dataclass(frozen=True, slots=True)
class VersionMatch:
    """``any_version`` is ``If-Match: *``; else the write applies only at one of ``versions``."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False

    def check(self, movie_id: str, current: int) -> None:
        """Raise ``VersionConflict`` unless ``current`` is acceptable."""
        if not self.any_version and current not in self.versions:
            expected = min(self.versions) if self.versions else None
            raise VersionConflict(movie_id, expected, current)
