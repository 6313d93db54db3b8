-- GET the targets of a list file in turn, from a given line on:
--   wrk ... -s paths.lua URL -- FILE [START] [once]
-- With `once` (START 0), the thread stops once every target has been answered: wrk still
-- waits out the duration, so bench/load.py takes the rate from the latencies.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local requests, next_request, answered

function init(args)
  requests = common.gets(args[1])
  next_request = common.cycle(requests, args[2])
  answered = 0
  if args[3] == "once" then
    response = function()
      answered = answered + 1
      if answered >= #requests then
        wrk.thread:stop()
      end
    end
  end
end

function request()
  return next_request()
end

done = common.report
