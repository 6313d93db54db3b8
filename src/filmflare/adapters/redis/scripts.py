"""The Lua scripts that make the cache's compound operations atomic on the server.

Every script names each key it touches in ``KEYS``, and the keys of one call share a hash
tag, so they run on Redis Cluster as on a single server.

A cached entry is stored as ``STAMP \\0 PAYLOAD`` (see ``codec``): the value its generation
held when it was written. A generation is a plain decimal counter.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

Client = Redis | RedisCluster

# KEYS: entry, generation. ARGV: payload, ttl in ms, the generation the writer read ('' when
# it had never been bumped). Writes only while the generation still holds it.
GUARDED_WRITE = """
local current = redis.call('GET', KEYS[2]) or ''
if current ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[3] .. '\\0' .. ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: generation. Moves it past every value it held: one more, and at least the server's
# clock in ms, so that a counter Redis lost (a restart without its data) cannot come back to
# a value a reader still holds. Lua numbers are doubles: exact up to 2^53, far past any clock.
BUMP = """
local time = redis.call('TIME')
local floor = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local value = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if value < floor then value = floor else value = value + 1 end
redis.call('SET', KEYS[1], string.format('%d', value))
return string.format('%d', value)
"""

# KEYS: the client's arrival time. ARGV: interval in µs, allowance in µs. Returns
# {allowed (1 or 0), µs to wait}. The server's clock is the one every replica shares.
RATE = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local arrival = tonumber(redis.call('GET', KEYS[1]) or '0')
if arrival < now then arrival = now end
local after = arrival + interval
local allowed_from = after - tonumber(ARGV[2])
if now < allowed_from then return {0, allowed_from - now} end
redis.call('SET', KEYS[1], string.format('%d', after), 'PX', math.ceil((after - now) / 1000))
return {1, 0}
"""


class LuaScript:
    """A script sent by its SHA-1 (``EVALSHA``), with its source only when the server lacks it
    (a restarted server has forgotten every script)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, client: Client, keys: list[str], args: list[bytes | str]) -> Any:
        try:
            return await cast(Any, client.evalsha(self.sha, len(keys), *keys, *args))
        except NoScriptError:
            return await cast(Any, client.eval(self.source, len(keys), *keys, *args))
