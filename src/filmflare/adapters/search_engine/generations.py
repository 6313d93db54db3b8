"""Index generations behind the alias: ``movies_v1``, ``movies_v2``… with ``movies`` on one.

Queries and writes name the alias only, so a rebuild fills the next generation and swaps
the alias in one atomic step, with no downtime.
"""

from __future__ import annotations

import re

from filmflare.adapters.search_engine.client import EngineClient, EngineError
from filmflare.adapters.search_engine.mapping import ADDED, index_body
from filmflare.domain.errors import BackendUnavailable

_EXISTS = "resource_already_exists_exception"


def generation(alias: str, number: int) -> str:
    return f"{alias}_v{number}"


def next_alias(alias: str) -> str:
    """The alias of the generation a rebuild is filling (none when no rebuild runs)."""
    return f"{alias}_next"


def pattern(alias: str) -> str:
    """The wildcard that matches every generation of ``alias``."""
    return f"{alias}_v*"


def numbered(alias: str, names: list[str]) -> dict[int, str]:
    """The generations of ``alias`` among ``names``, by number."""
    shape = re.compile(re.escape(alias) + r"_v([1-9][0-9]*)")
    return {int(m.group(1)): name for name in names if (m := shape.fullmatch(name))}


async def current(client: EngineClient, alias: str) -> str:
    """The index the alias names; ``BackendUnavailable`` when there is none."""
    targets = await client.alias_targets(alias)
    if len(targets) != 1:
        raise BackendUnavailable("search", f"no index behind {alias!r}; run filmflare init")
    return targets[0]


async def ensure(client: EngineClient, alias: str) -> bool:
    """Create the first generation under the alias, unless the alias exists (idempotent);
    True when it did, so the index is empty.

    An alias lost while its generations remain is put back on the newest of them. The
    generation behind the alias (and one a rebuild is filling) gets the fields added to the
    mapping since it was made (``mapping.ADDED``).
    """
    targets = await client.alias_targets(alias)
    if targets:
        await _add_fields(client, [*targets, *await client.alias_targets(next_alias(alias))])
        return False
    existing = numbered(alias, await client.index_names(pattern(alias)))
    try:
        if existing:
            newest = existing[max(existing)]
            await client.update_aliases([{"add": {"index": newest, "alias": alias}}])
            await _add_fields(client, [newest])
            return False
        await client.create_index(generation(alias, 1), index_body(alias))
    except EngineError as error:
        if error.kind == _EXISTS and await client.alias_targets(alias):
            return False  # another process made it first
        raise BackendUnavailable("search", f"cannot create {alias!r}: {error}") from error
    return True


async def _add_fields(client: EngineClient, names: list[str]) -> None:
    for name in names:
        try:
            await client.add_fields(name, ADDED)
        except EngineError as error:
            raise BackendUnavailable("search", f"cannot add fields to {name!r}: {error}") from error


async def create_next(client: EngineClient, alias: str, now: str) -> str:
    """Create the generation after ``now`` under ``next_alias``; a 503 if one is under way."""
    taken = numbered(alias, [*await client.index_names(pattern(alias)), now])
    # the one after the current generation, so that two rebuilds at once collide
    after = [n + 1 for n, name in taken.items() if name == now]
    fresh = generation(alias, after[0] if after else max(taken, default=0) + 1)
    try:
        await client.create_index(fresh, index_body(next_alias(alias)))
    except EngineError as error:
        if error.kind == _EXISTS:
            raise BackendUnavailable(
                "search",
                f"{fresh!r} exists: a rebuild is running, or one failed and left it "
                "(delete that index if none is running)",
            ) from error
        raise BackendUnavailable("search", f"cannot create {fresh!r}: {error}") from error
    return fresh
