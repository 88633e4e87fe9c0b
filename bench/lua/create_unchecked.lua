-- POST /repos/{owner}/{repo}/deployments with body/create_unchecked.json:
-- the create of create_deployment.lua with "required_contexts": [], which
-- checks no commit status. Every request creates a deployment, in an
-- environment of its own (bench.new_environment_each_request), and its
-- outbox row.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
bench.new_environment_each_request("body/create_unchecked.json")
