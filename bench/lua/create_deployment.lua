-- POST /repos/{owner}/{repo}/deployments with body/create_deployment.json
-- (a full 40-hex sha as ref, on a repository without a git directory).
-- The body omits required_contexts, so each request checks every context
-- with a status on the commit (bench/run.sh posts 5, all success, so every
-- request passes). Every request creates a deployment and its outbox row.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/create_deployment.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
