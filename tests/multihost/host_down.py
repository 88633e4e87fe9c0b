#!/usr/bin/env python3
"""Under 300 creates/s through the balancer, one of the three API hosts is
stopped entirely (every process SIGKILLed) for 10 s and started again: only
its requests in flight fail, the balancer stops sending to it within a
second, it serves again within a few seconds of coming back, every 201 is
listed with its data, and nothing is written twice."""

import time

from hostlib import served_since, start_api, stop_host
from faultlib import WriteLoad, check_writes, describe_failures, expect, figures, provision

RATE = 300
DOWN_S = 10
IN_FLIGHT_MAX = 4 * 2  # its four workers' requests, and as many queued in its backlog
EJECTED_WITHIN_S = 1.0
READMITTED_WITHIN_S = 5.0

token = provision("hostdown")
load = WriteLoad("hostdown", "hostdown", token, rate=RATE, threads=12).start()
time.sleep(3)
killed_wall, killed = time.time(), time.monotonic()
processes = stop_host("h2")
time.sleep(DOWN_S)
started_wall = time.time()
start_api("h2")
started = time.monotonic()
time.sleep(6)
load.stop()

failed = load.failures()
# A failure is the host's going only when it was sent around the kill.
late = [r for r in failed if r[1] > killed + EJECTED_WITHIN_S or r[1] < killed - 2]
served = served_since("h2", started_wall)
readmitted_s = served[0] - started_wall if served else None
listed = check_writes(load, "hostdown", "hostdown", token)
after = [r for r in load.results if r[1] >= killed]
rate = len(after) / (time.monotonic() - killed)
last_failure_s = max((r[1] - killed for r in failed), default=0.0)
figures("host-down", requests=len(load.results), failed=len(failed), killed_processes=processes,
        failed_after_eject=len(late), last_failure_after_kill_s=f"{last_failure_s:.3f}", readmitted_s=f"{readmitted_s:.2f}" if served else "never",
        slowest_s=f"{load.slowest():.3f}", rate_after_kill=f"{rate:.0f}", listed=listed)
if failed:
    describe_failures(load)
expect(len(failed) <= IN_FLIGHT_MAX, f"{len(failed)} requests failed for one host stopped")
expect(not late, f"{len(late)} requests failed more than {EJECTED_WITHIN_S} s after the kill")
expect(served, "the restarted host was never sent a request")
expect(readmitted_s <= READMITTED_WITHIN_S, f"the restarted host served again after {readmitted_s:.2f} s")
expect(rate >= RATE * 0.9, f"only {rate:.0f} requests/s after the kill")
