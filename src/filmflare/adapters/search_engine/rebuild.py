"""Rebuilding the index from the store into a new generation, then swapping the alias.

The current generation answers queries all along. Writes made meanwhile reach the new one
too: this process writes to both, and writes from other processes (which name the alias)
are copied over from the old generation: every write it took after the rebuild began (its
sequence numbers, one total order in its single shard) before the swap, and once more
after it, when the old generation is frozen (the engine lets running writes finish first),
so nothing is lost in between. Tombstones are copied too. Versions decide every copy, so a
write copied twice, or older than what the store gave, changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, Callable, Sequence

from filmflare.adapters.search_engine import mapping as f
from filmflare.adapters.search_engine.client import EngineClient, Json
from filmflare.adapters.search_engine.generations import (
    create_next,
    current,
    next_alias,
    numbered,
    pattern,
)
from filmflare.adapters.search_engine.queries import term
from filmflare.adapters.search_engine.writes import BulkWriter, movie_write, replayed
from filmflare.domain.movie import Movie

_PAGE = 1000


async def copy(
    client: EngineClient, writer: BulkWriter, source: str, target: str, only: Json
) -> None:
    """Replay into ``target`` every document of ``source`` that matches ``only``."""
    await client.refresh(source)
    body: Json = {
        "query": {"bool": {"filter": [only]}},
        "sort": [{f.ID: "asc"}],
        "size": _PAGE,
        "_source": [f.ID, f.KIND, f.VERSION, f.MOVIE],
    }
    while hits := (await client.search(source, body))["hits"]["hits"]:
        writes = [replayed(hit["_source"]) for hit in hits]
        await writer.write(target, writes, alias=False, wait=False)
        body["search_after"] = hits[-1]["sort"]


async def retire(client: EngineClient, alias: str, kept: str) -> None:
    """Delete the generations older than ``kept``: the one replaced, or any a failure left."""
    found = numbered(alias, await client.index_names(pattern(alias)))
    newest = max((n for n, name in found.items() if name == kept), default=0)
    for number, name in sorted(found.items()):
        if number < newest:
            await client.delete_index(name)


async def rebuild(
    client: EngineClient,
    writer: BulkWriter,
    alias: str,
    batches: AsyncIterable[Sequence[Movie]],
    follow: Callable[[str | None], None],
) -> int:
    """Fill a new generation from ``batches``, swap the alias to it, and drop the old one.

    ``follow`` is told the new generation's alias while this process should write there too
    (an alias, so that a write arriving after a failed rebuild dropped it creates nothing).
    """
    old = await current(client, alias)
    fresh = await create_next(client, alias, old)
    later = {"range": {"_seq_no": {"gt": await client.max_seq_no(old)}}}
    follow(next_alias(alias))
    try:
        count = 0
        async for batch in batches:
            writes = [movie_write(movie) for movie in batch]
            await writer.write(fresh, writes, alias=False, wait=False)
            count += len(batch)
        await copy(client, writer, old, fresh, term(f.KIND, f.TOMBSTONE_KIND))
        await copy(client, writer, old, fresh, later)
        await client.refresh(fresh)
        await client.update_aliases(
            [
                {"remove": {"index": old, "alias": alias}},
                {"remove": {"index": fresh, "alias": next_alias(alias)}},
                {"add": {"index": fresh, "alias": alias}},
            ]
        )
    except BaseException:
        follow(None)
        with contextlib.suppress(Exception):
            await client.delete_index(fresh)
        raise
    follow(None)
    await client.block_writes(old)
    await copy(client, writer, old, fresh, later)
    await client.refresh(fresh)
    await retire(client, alias, fresh)
    return count
