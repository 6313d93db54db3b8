-- Shared by the scenario scripts (each wrk thread loads it with dofile): reading a list
-- file, and the one JSON line `done` prints for bench/load.py to parse.
local common = {}

-- The non-empty lines of the file at `path`, in order.
function common.lines(path)
  local found = {}
  for line in io.lines(path) do
    if #line > 0 then
      found[#found + 1] = line
    end
  end
  return found
end

-- A GET request for each target (a path and query) listed in the file at `path`.
function common.gets(path)
  local found = {}
  for n, target in ipairs(common.lines(path)) do
    found[n] = wrk.format("GET", target)
  end
  return found
end

-- Where a run starts in its list (bench/queries.py hands each run its own slice).
function common.start(value)
  return tonumber(value or "0") or 0
end

-- A function giving the items of `list` in turn, from position `start` on, round and round.
function common.cycle(list, start)
  local next_one = common.start(start)
  return function()
    local n = next_one % #list + 1
    next_one = next_one + 1
    return list[n]
  end
end

function common.report(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end

return common
