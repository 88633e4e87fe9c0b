-- Loaded by every endpoint script (dofile): prints one machine-readable line
-- that bench/run.sh parses, after wrk's own --latency report.
-- Environment (set by bench/run.sh): BENCH_TOKEN, BENCH_OWNER, BENCH_REPO,
-- BENCH_DIR (bench/), BENCH_LUA_DIR (bench/lua).

bench = {
	token = os.getenv("BENCH_TOKEN") or "",
	owner = os.getenv("BENCH_OWNER") or "",
	repo = os.getenv("BENCH_REPO") or "",
}

function bench.authenticate()
	wrk.headers["Authorization"] = "token " .. bench.token
	wrk.headers["Accept"] = "application/vnd.github+json"
end

-- bench.read(path): a file under bench/, e.g. a request body:
--   wrk.method = "POST"; wrk.body = bench.read("body/x.json")
--   wrk.headers["Content-Type"] = "application/json"
function bench.read(path)
	local f = assert(io.open((os.getenv("BENCH_DIR") or ".") .. "/" .. path, "rb"))
	local data = f:read("*a")
	f:close()
	return data
end

function done(summary, latency, requests)
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d " ..
		"err_connect=%d err_read=%d err_write=%d err_timeout=%d non2xx3xx=%d\n",
		summary.requests, summary.requests / secs,
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		e.connect, e.read, e.write, e.timeout, e.status))
end
