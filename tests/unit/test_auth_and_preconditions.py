"""Write grants and If-Match preconditions."""

from __future__ import annotations

import pytest

from filmflare.domain.auth import Principal
from filmflare.domain.errors import Forbidden, VersionConflict
from filmflare.domain.movie import new_movie_id
from filmflare.domain.preconditions import VersionMatch


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (Principal("a", scopes=frozenset({"movies:write"})), True),
        (Principal("a", roles=frozenset({"editor"})), True),
        (Principal("a", roles=frozenset({"admin"})), True),
        (Principal("a", scopes=frozenset({"movies:read"}), roles=frozenset({"viewer"})), False),
        (Principal(None), False),
    ],
)
def test_write_grant(principal: Principal, allowed: bool) -> None:
    assert principal.can_write is allowed
    if allowed:
        principal.require_write()
    else:
        with pytest.raises(Forbidden):
            principal.require_write()


def test_version_match() -> None:
    VersionMatch(frozenset({2, 3})).check("m", 3)
    VersionMatch(any_version=True).check("m", 9)
    with pytest.raises(VersionConflict):
        VersionMatch(frozenset({2})).check("m", 3)
    with pytest.raises(VersionConflict):
        VersionMatch().check("m", 1)


def test_ids_are_url_safe_sortable_and_unique() -> None:
    ids = [new_movie_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    alphabet = set("0123456789abcdefghjkmnpqrstvwxyz")
    assert all(len(i) == 16 and set(i) <= alphabet for i in ids)
    assert ids == sorted(ids)
