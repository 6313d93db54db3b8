"""Domain errors. Each maps to exactly one HTTP status at the edge."""

from __future__ import annotations

import math
from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error the core raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule, named by the field (``genres[2]`` for an item)."""

    field: str
    message: str


class ValidationFailed(DomainError):
    """Input broke one or more rules (422)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class BadRequest(DomainError):
    """The request is well-formed but impossible to answer as asked (400)."""


class MovieNotFound(DomainError):
    """No movie has this id (404)."""

    def __init__(self, movie_id: str) -> None:
        super().__init__(f"no movie with id {movie_id!r}")
        self.movie_id = movie_id


class VersionConflict(DomainError):
    """The movie changed since the version the caller expected (412)."""

    def __init__(self, movie_id: str, expected: int | None, current: int | None) -> None:
        if current is None:
            message = f"movie {movie_id!r} kept changing concurrently; try again"
        elif expected is None:
            message = f"movie {movie_id!r} is at version {current}, which If-Match does not name"
        else:
            message = f"movie {movie_id!r} is at version {current}, not {expected}"
        super().__init__(message)
        self.movie_id = movie_id
        self.expected = expected
        self.current = current


class ExternalIdTaken(DomainError):
    """Another movie holds this ``external_id`` (409); ``holder`` is its id when known."""

    def __init__(self, external_id: str, holder: str | None = None) -> None:
        held = f"movie {holder!r}" if holder else "another movie"
        super().__init__(f"external_id {external_id!r} is held by {held}")
        self.external_id = external_id
        self.holder = holder


class DuplicateId(DomainError):
    """An id was generated twice; the caller retries with a fresh one."""


class BackendUnavailable(DomainError):
    """A backend needed for this request does not answer (503)."""

    def __init__(self, backend: str, reason: str = "") -> None:
        super().__init__(f"{backend} is unavailable" + (f": {reason}" if reason else ""))
        self.backend = backend
        self.reason = reason


class Unauthenticated(DomainError):
    """No usable credentials: missing, malformed, expired or badly signed token (401)."""


class Forbidden(DomainError):
    """Valid credentials that do not grant this action (403)."""


class RateLimited(DomainError):
    """The client sent more requests than its rate allows (429); ``retry_after`` in seconds."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests; try again in {self.whole_seconds} s")

    @property
    def whole_seconds(self) -> int:
        """``retry_after`` rounded up, at least 1: what ``Retry-After`` can say."""
        return max(1, math.ceil(self.retry_after))
