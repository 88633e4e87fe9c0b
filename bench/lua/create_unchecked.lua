-- POST /repos/{owner}/{repo}/deployments with body/create_unchecked.json:
-- the create of create_deployment.lua with "required_contexts": [], which
-- checks no commit status. Every request creates a deployment and its
-- outbox row.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/create_unchecked.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
