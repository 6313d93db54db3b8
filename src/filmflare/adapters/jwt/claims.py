"""Reading the grants of a verified token into a ``Principal``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from filmflare.domain.auth import Principal
from filmflare.domain.errors import Unauthenticated


def principal(claims: Mapping[str, Any]) -> Principal:
    """``sub``; scopes from ``scope`` (space-separated) and ``scp`` (a list); ``roles``.

    Identity providers disagree on string versus list, so each claim may be either; any
    other shape is a malformed token.
    """
    subject = claims.get("sub")
    if subject is not None and not isinstance(subject, str):
        raise Unauthenticated("the sub claim must be a string")
    return Principal(
        subject=subject,
        scopes=_names(claims, "scope") | _names(claims, "scp"),
        roles=_names(claims, "roles"),
    )


def _names(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    value = claims.get(claim)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    raise Unauthenticated(f"the {claim} claim must be a string or a list of strings")
