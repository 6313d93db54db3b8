"""The Lua scripts that make the cache's compound operations atomic on the server.

A cached entry is stored as ``\\0 EPOCH \\0 PAYLOAD`` (see ``codec``); a counter as the plain
integer ``INCR`` keeps. ``CURRENT`` reads either back as the port sees it: an entry written
under another epoch reads as absent.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

CURRENT = """
local function current(key, epoch)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  if string.byte(raw, 1) ~= 0 then return raw end
  local stop = string.find(raw, '\\0', 2, true)
  if string.sub(raw, 2, stop - 1) ~= epoch then return nil end
  return string.sub(raw, stop + 1)
end
"""

# KEYS: target, epoch[, guard]. ARGV: payload, ttl in ms, 'none' | 'absent' | 'equals', expected.
GUARDED_SET = (
    CURRENT
    + """
local epoch = redis.call('GET', KEYS[2]) or '0'
if ARGV[3] ~= 'none' then
  local seen = current(KEYS[3], epoch)
  if ARGV[3] == 'absent' and seen ~= nil then return 0 end
  if ARGV[3] == 'equals' and seen ~= ARGV[4] then return 0 end
end
redis.call('SET', KEYS[1], '\\0' .. epoch .. '\\0' .. ARGV[1], 'PX', ARGV[2])
return 1
"""
)

# KEYS: counter, epoch. ARGV: head, tail (the prefix included in head). The generation, and
# the value at head .. generation .. tail, that key being derived here: read in one round
# trip, on one server (the derived key is not declared, which a single Redis allows and a
# Redis Cluster would not).
GET_AT_GENERATION = (
    CURRENT
    + """
local epoch = redis.call('GET', KEYS[2]) or '0'
local generation = current(KEYS[1], epoch)
local named = generation
if named == nil or named == '' then named = '0' end
return {generation or false, current(ARGV[1] .. named .. ARGV[2], epoch) or false}
"""
)

# KEYS: counter, epoch. An entry holding an integer becomes a counter (without expiry).
INCR = (
    CURRENT
    + """
local raw = redis.call('GET', KEYS[1])
if raw and string.byte(raw, 1) == 0 then
  local value = current(KEYS[1], redis.call('GET', KEYS[2]) or '0')
  if value == nil then
    redis.call('DEL', KEYS[1])
  elseif string.match(value, '^%-?%d+$') then
    redis.call('SET', KEYS[1], value)
  else
    return redis.error_reply('ERR cache key does not hold an integer: not an integer')
  end
end
return redis.call('INCR', KEYS[1])
"""
)

# KEYS: epoch, generation counters. Retires every entry (new epoch) and moves each counter
# past any value a reader may hold: at least one more, and at least the server's time in ms,
# so that a counter that restarted from nothing (Redis lost its data) cannot repeat a value.
RECOVER = """
redis.call('INCR', KEYS[1])
local time = redis.call('TIME')
local floor = time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
for i = 2, #KEYS do
  local value = tonumber(redis.call('GET', KEYS[i]) or '0')
  if value == nil or value < tonumber(floor) then
    redis.call('SET', KEYS[i], floor)
  else
    redis.call('INCR', KEYS[i])
  end
end
return 1
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

    async def __call__(self, client: Redis, keys: list[str], args: list[bytes | str]) -> Any:
        try:
            return await cast(Any, client.evalsha(self.sha, len(keys), *keys, *args))
        except NoScriptError:
            return await cast(Any, client.eval(self.source, len(keys), *keys, *args))
