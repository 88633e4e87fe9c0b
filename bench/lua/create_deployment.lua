-- POST /repos/{owner}/{repo}/deployments with body/create_deployment.json
-- (a full 40-hex sha as ref, on a repository without a git directory).
-- The body omits required_contexts, so each request checks every context
-- with a status on the commit (bench/run.sh posts 5, all success, so every
-- request passes). Every request creates a deployment, in an environment
-- of its own (bench.new_environment_each_request), and its outbox row.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
bench.new_environment_each_request("body/create_deployment.json")
