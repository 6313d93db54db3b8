"""Entity tags, ``If-Match`` and ``If-None-Match`` (RFC 9110 §8.8.3, §13.1).

A movie's entity tag is its version as a strong validator, ``"3"``; a search-like answer's is
the digest of its bytes as a weak one, ``W/"…"`` (``application.digests``). ``If-Match`` uses
the strong comparison against a movie's version (``W/"3"`` never matches); ``If-None-Match``
the weak one, against either kind. A header that is not a valid list of entity tags is a 400
rather than being silently ignored, so a client that forgot the quotes (``If-Match: 3``)
learns it at once instead of overwriting someone else's change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filmflare.domain.errors import BadRequest
from filmflare.domain.preconditions import VersionMatch

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_EMPTY_ITEM = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class EntityTag:
    opaque: str
    weak: bool = False


@dataclass(frozen=True, slots=True)
class HeldTags:
    """What ``If-None-Match`` says the client holds: any representation (``*``), or those of
    these opaque tags, whether it sent them weak or strong."""

    opaques: frozenset[str] = frozenset()
    anything: bool = False

    def matches(self, opaque: str) -> bool:
        """The weak comparison: ``W/"x"`` and ``"x"`` both hold the answer tagged ``x``."""
        return self.anything or opaque in self.opaques


def etag(version: int) -> str:
    """The ``ETag`` header value for a version; its opaque tag is ``str(version)``."""
    return f'"{version}"'


def weak_etag(opaque: bytes) -> bytes:
    """The ``ETag`` header value, as a weak validator, of an opaque tag made of ``etagc``."""
    return b'W/"' + opaque + b'"'


def parse_tags(header: str, name: str) -> list[EntityTag] | None:
    """The tags of a list header; None for ``*``. Empty list items are allowed (RFC 9110 §5.6.1)."""
    if header.strip() == "*":
        return None
    tags: list[EntityTag] = []
    position = 0
    while position <= len(header):
        match = _TAG.match(header, position)
        if match is not None:
            tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
        else:
            match = _EMPTY_ITEM.match(header, position)
            assert match is not None  # matches the empty string at worst
        position = match.end()
        if position == len(header):
            break
        if header[position] != ",":
            raise BadRequest(
                f"{name} must be * or a comma-separated list of entity tags such as "
                '"3" (with the double quotes)'
            )
        position += 1
    return tags


_ISSUED = re.compile(r"[1-9][0-9]{0,17}")


def _version(tag: EntityTag) -> int | None:
    """The version a tag names, if it is one we issue; tags compare as strings, so ``"01"``
    is not ``"1"``, and a tag we never issued simply matches nothing."""
    return int(tag.opaque) if _ISSUED.fullmatch(tag.opaque) else None


def if_match(header: str | None) -> VersionMatch | None:
    """The precondition of a write, or None when the header is absent."""
    if header is None:
        return None
    tags = parse_tags(header, "If-Match")
    if tags is None:
        return VersionMatch(any_version=True)
    strong = (_version(tag) for tag in tags if not tag.weak)
    return VersionMatch(versions=frozenset(v for v in strong if v is not None))


def if_none_match(header: str | None) -> HeldTags | None:
    """What a reader already holds, or None when the header is absent. Tags compare as
    strings, so ``"01"`` holds no version 1."""
    if header is None:
        return None
    tags = parse_tags(header, "If-None-Match")
    if tags is None:
        return HeldTags(anything=True)
    return HeldTags(frozenset(tag.opaque for tag in tags))
