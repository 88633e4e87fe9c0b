-- Loaded by every endpoint script (dofile): prints one machine-readable line
-- that bench/run.sh parses, after wrk's own --latency report.
-- Environment (set by bench/run.sh): BENCH_TOKEN, BENCH_OWNER, BENCH_REPO,
-- BENCH_DIR (bench/), BENCH_LUA_DIR (bench/lua), and BENCH_VAR_<name> for
-- each provisioned value (ids, repository names) that bench.var reads.

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

-- bench.var(name): a value bench/run.sh provisioned (the pgbench variable
-- of the same name), e.g. bench.var("status_repo"); an error if unset.
function bench.var(name)
	local v = os.getenv("BENCH_VAR_" .. name)
	assert(v, "BENCH_VAR_" .. name .. " is not set")
	return v
end

-- bench.number_threads(): numbers wrk's threads 0, 1, ...; each thread then
-- reads its own number as bench.thread_index (set before its init()).
local thread_count = 0
function bench.number_threads()
	function setup(thread)
		thread:set("bench_thread_index", thread_count)
		thread_count = thread_count + 1
	end
	bench.thread_index = 0
	local previous_init = init
	function init(args)
		bench.thread_index = bench_thread_index or 0
		if previous_init then previous_init(args) end
	end
end

-- bench.new_environment_each_request(path): request() sends the body of
-- path (under bench/) with its "environment" replaced by a name no request
-- used before, as the reference's create.sql names a new environment each
-- time: the second wrk started (unique across the runs of bench/run.sh,
-- which are each at least a second long), the thread's number and its
-- request count.
function bench.new_environment_each_request(path)
	local head, tail = bench.read(path):match('^(.*"environment":")[^"]*(".*)$')
	assert(head, path .. ' has no "environment"')
	local started = os.time()
	local n = 0
	bench.number_threads()
	function request()
		n = n + 1
		return wrk.format(nil, nil, nil, string.format("%s%d-%d-%d%s", head, started, bench.thread_index, n, tail))
	end
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
