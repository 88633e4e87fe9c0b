#!/usr/bin/env python3
"""PostgreSQL restarted (a fast shutdown, then a start) under a steady
write load: during the outage the API answers 503, never hangs or crashes,
its workers reconnect by themselves, the first 201 comes soon after the
database is back, and nothing acknowledged is lost or written twice."""

import time

from faultlib import (WriteLoad, check_writes, children, expect, figures, pid_file, provision,
                      stack_command)

WORKERS = 4
SERVING_AGAIN_WITHIN_S = 2

token = provision("dbrestart")
master = pid_file("deploy-api")
workers = set(children(master))
load = WriteLoad("dbrestart", "dbrestart", token).start()
time.sleep(2)
down_at = time.monotonic()
stack_command('pg_stop "$1"')
time.sleep(1)
up_at = time.monotonic()
stack_command('pg_start "$1"')
started_at = time.monotonic()
while not any(r[3] == 201 and r[1] > started_at for r in list(load.results)):
    expect(time.monotonic() - started_at < SERVING_AGAIN_WITHIN_S,
           f"no 201 within {SERVING_AGAIN_WITHIN_S} s of the database's start")
    time.sleep(0.01)
serving_again_s = time.monotonic() - started_at
time.sleep(1)
load.stop()

during = [r for r in load.results if down_at <= r[1] <= up_at]
statuses = {r[3] for r in load.failures()}
listed = check_writes(load, "dbrestart", "dbrestart", token)
figures("database-restart", requests=len(load.results), failed=len(load.failures()),
        during_outage=len(during), failure_statuses="/".join(sorted(map(str, statuses))),
        slowest_s=f"{load.slowest():.3f}", serving_again_s=f"{serving_again_s:.3f}",
        listed=listed)
expect(statuses <= {503}, f"failures other than 503: {statuses}")
expect(set(children(master)) == workers, "workers died or were replaced during the outage")
expect(load.slowest() < 3, f"a request took {load.slowest():.3f} s")
