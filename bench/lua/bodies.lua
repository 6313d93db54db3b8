-- POST the JSON bodies of a list file (one per line) in turn to the URL's path, from a given
-- line on: the search engine's own query time for the bodies the adapter builds.
--   wrk ... -s bodies.lua ENGINE/ALIAS/_search -- FILE [START]
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local requests, next_one

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  requests = {}
  for n, body in ipairs(common.lines(args[1])) do
    requests[n] = wrk.format("POST", nil, headers, body)
  end
  next_one = common.start(args[2])
end

function request()
  local n = next_one % #requests + 1
  next_one = next_one + 1
  return requests[n]
end

done = common.report
