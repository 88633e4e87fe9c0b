-- GET /repos/{owner}/{repo} with "Authorization: token T" (the URL carries
-- the path; bench/run.sh substitutes owner and repository).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
bench.authenticate()
