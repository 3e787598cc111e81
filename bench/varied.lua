-- wrk script: each request takes a random path from the file named after "--" (paths
-- repeat there as often as visitors would ask for them), and nginx's X-Cache-Status of
-- the answers is counted: served from its cache (HIT), revalidated with the application
-- (REVALIDATED: its 304), or made by the application (MISS, EXPIRED, BYPASS, or none).
-- A second argument paces each connection: it waits that many milliseconds before each
-- request (think time), so that the load offers a set rate instead of all it can.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  hits, revalidated, made = 0, 0, 0
  pause = tonumber(args[2] or "0")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function delay()
  return pause
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  local cache = headers["X-Cache-Status"] or headers["x-cache-status"]
  if cache == "HIT" then hits = hits + 1
  elseif cache == "REVALIDATED" then revalidated = revalidated + 1
  else made = made + 1 end
end

function done(summary, latency, requests)
  local h, r, m = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    r = r + thread:get("revalidated")
    m = m + thread:get("made")
  end
  io.write(string.format("CACHE %d %d %d\n", h, r, m))
end
