-- POST .../deployments/{id}/statuses with body/status_pending.json, spread
-- over the "pending" pool of bench/provision.sql: wrk thread t posts to
-- deployments pend_base + t * POOL + (n mod POOL), n counting its requests,
-- each deployment alone in its environment, so that concurrent requests
-- (at most C / threads per thread, C <= 2 * POOL) never target the same
-- deployment or wait for each other's environment lock. The URL's own path
-- is not used (the ceilings answer any path).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/status_pending.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()

local pool = tonumber(os.getenv("BENCH_POOL") or "64")
local base = tonumber(bench.var("pend_base"))
local prefix = "/api/v3/repos/" .. bench.owner .. "/" .. bench.var("status_repo") .. "/deployments/"
bench.number_threads()

local n = 0
function request()
	local dep = base + bench.thread_index * pool + n % pool
	n = n + 1
	return wrk.format(nil, prefix .. dep .. "/statuses")
end
