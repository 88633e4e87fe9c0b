-- A wrk2-style fixed request rate for plain wrk 4.1, which has no rate
-- option: loads the endpoint's script (BENCH_PACED_SCRIPT, under bench/lua)
-- and adds wrk's delay() hook. Each thread sends its requests on a schedule
-- of BENCH_RATE / BENCH_THREADS per second (clock_gettime through LuaJIT's
-- ffi); a connection that becomes free waits for the next slot of the
-- schedule; when every connection was busy and the schedule fell behind, the
-- late requests go at once until it catches up.
-- Limits, to state with the figures: wrk rounds each delay down to whole
-- milliseconds (sends bunch at millisecond edges, the rate is kept), and it
-- times a request from when it is sent, not from its slot (no correction for
-- coordinated omission as in wrk2: run it with enough connections that they
-- are rarely all busy, and compare the rate achieved with the rate asked).
dofile(os.getenv("BENCH_LUA_DIR") .. "/" .. os.getenv("BENCH_PACED_SCRIPT"))

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
	ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval = 1000 * tonumber(os.getenv("BENCH_THREADS")) / tonumber(os.getenv("BENCH_RATE"))
local next_at

function delay()
	local now = now_ms()
	if next_at == nil then next_at = now end
	local d = next_at - now
	next_at = next_at + interval
	if d < 0 then d = 0 end
	return d
end
