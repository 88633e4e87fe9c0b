-- POST .../deployments/{id}/statuses with body/status_success.json, so that
-- every request deactivates exactly one deployment (a cascade of one). The
-- "success" pool of bench/provision.sql has pairs A, B (ids a, a + 1), each
-- pair alone in its environment, one of the two active. wrk thread t cycles
-- over its POOL pairs t * POOL ... t * POOL + POOL - 1 and alternates A and B
-- within each pair: a pair is hit again only POOL requests later, when the
-- previous request to it has long finished (at most C / threads requests of
-- a thread are in flight, C <= 2 * POOL), so each request finds the other
-- one of its pair active and deactivates it. bench/run.sh counts the
-- inactive statuses each run wrote to check that.
--
-- The cascade-cost measurement runs it with one thread, one connection,
-- BENCH_POOL=1 and succ_base pointing at the A of environment '10' or
-- '100000'.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/status_success.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()

local pool = tonumber(os.getenv("BENCH_POOL") or "64")
local base = tonumber(bench.var("succ_base"))
local prefix = "/api/v3/repos/" .. bench.owner .. "/" .. bench.var("status_repo") .. "/deployments/"
bench.number_threads()

local n = 0
function request()
	local pair = bench.thread_index * pool + n % pool
	local side = math.floor(n / pool) % 2
	n = n + 1
	return wrk.format(nil, prefix .. (base + 2 * pair + side) .. "/statuses")
end
