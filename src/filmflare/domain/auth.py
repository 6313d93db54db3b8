"""Who is calling, and what the token lets them do."""

from __future__ import annotations

from dataclasses import dataclass

from filmflare.domain.errors import Forbidden

WRITE_SCOPE = "movies:write"
WRITE_ROLES = frozenset({"editor", "admin"})


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str | None
    scopes: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()

    @property
    def can_write(self) -> bool:
        return WRITE_SCOPE in self.scopes or bool(self.roles & WRITE_ROLES)

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden(f"the token needs scope {WRITE_SCOPE} or role editor or admin")
