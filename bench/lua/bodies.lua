-- POST the JSON bodies of a list file (one per line) in turn to the URL's path, from a given
-- line on: the search engine's own query time for the bodies the adapter builds.
--   wrk ... -s bodies.lua ENGINE/ALIAS/_search -- FILE [START]
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local next_request

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  local requests = {}
  for n, body in ipairs(common.lines(args[1])) do
    requests[n] = wrk.format("POST", nil, headers, body)
  end
  next_request = common.cycle(requests, args[2])
end

function request()
  return next_request()
end

done = common.report
