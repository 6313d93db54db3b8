-- The reads of a busy catalog: the targets of a hot list in turn (cached once asked), and
-- every EVERY-th request the next target of a cold list (asked once: an uncached search or
-- movie read), from line START on.
--   wrk ... -s reads.lua URL -- HOT_FILE COLD_FILE EVERY [START]
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local next_hot, next_cold, every, sent

function init(args)
  next_hot = common.cycle(common.gets(args[1]))
  next_cold = common.cycle(common.gets(args[2]), args[4])
  every = tonumber(args[3])
  sent = 0
end

function request()
  sent = sent + 1
  if sent % every == 0 then
    return next_cold()
  end
  return next_hot()
end

done = common.report
