-- Any authenticated GET: the URL carries the path and query (bench/run.sh
-- substitutes owner, repository and ids).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
bench.authenticate()
