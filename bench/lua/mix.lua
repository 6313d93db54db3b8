-- Nine reads for every write: the GET targets of one file in turn, and after every ninth a
-- JSON Merge Patch of one movie (the ids of another file in turn) with a bearer token.
--   wrk ... -s mix.lua URL -- READS_FILE IDS_FILE TOKEN
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local reads, writes, sent

function init(args)
  reads = common.gets(args[1])
  local headers = {
    ["Authorization"] = "Bearer " .. args[3],
    ["Content-Type"] = "application/merge-patch+json",
  }
  writes = {}
  for n, id in ipairs(common.lines(args[2])) do
    -- the rating changes on every write, so each one is a real change
    local body = string.format('{"rating": %.1f}', 1 + (n % 90) / 10)
    writes[n] = wrk.format("PATCH", "/movies/" .. id, headers, body)
  end
  sent = 0
end

function request()
  sent = sent + 1
  if sent % 10 == 0 then
    return writes[(sent / 10 - 1) % #writes + 1]
  end
  return reads[(sent - 1 - math.floor(sent / 10)) % #reads + 1]
end

done = common.report
