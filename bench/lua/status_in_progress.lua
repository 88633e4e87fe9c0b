-- POST .../deployments/{id}/statuses with body/status_in_progress.json, every
-- request to the deployment of the URL (bench/run.sh: the first of the
-- "pending" pool of bench/provision.sql, alone in its environment), as the
-- reference's status.sql posts to one deployment: concurrent requests take
-- turns on its environment's lock, as a deploy's own updates do.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/status_in_progress.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
