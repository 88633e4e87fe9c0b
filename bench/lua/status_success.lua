-- POST .../deployments/{id}/statuses with body/status_success.json,
-- alternating between two deployments A, B (ids a, a + 1) of one environment,
-- as the reference's cascade.sql does: bench/run.sh points succ_base at the
-- first pair of the "success" pool of bench/provision.sql, alone in its
-- environment, B active at the start. Each wrk thread alternates A, B, A...,
-- so a request usually finds the other one active and deactivates it (a
-- cascade of one); requests in flight together on one connection's thread
-- may both find the same one active. bench/run.sh counts the inactive
-- statuses each run wrote.
--
-- The cascade-cost measurement runs it with one thread, one connection, and
-- succ_base pointing at the A of environment '10' or '100000'.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/status_success.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()

local base = tonumber(bench.var("succ_base"))
local prefix = "/api/v3/repos/" .. bench.owner .. "/" .. bench.var("status_repo") .. "/deployments/"

local n = 0
function request()
	local dep = base + n % 2
	n = n + 1
	return wrk.format(nil, prefix .. dep .. "/statuses")
end
