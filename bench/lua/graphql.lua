-- Backstage's deployments query (body/graphql_backstage.json, graphql.md
-- 9.3 verbatim, with the variables octokit sends) to POST /api/graphql.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.body = bench.read("body/graphql_backstage.json")
wrk.headers["Content-Type"] = "application/json"
bench.authenticate()
