#!/usr/bin/env python3
"""A deploy-api worker SIGKILLed every 2 s under a steady write load of
200 creates/s for 30 s: each kill costs at most the request in flight, no
request waits 2 s or more, the pool is back at full size within a second
of each kill, and every 201 is listed afterwards with its data."""

import os
import random
import signal
import time

from faultlib import (WriteLoad, alive, check_writes, children, describe_failures, expect,
                      figures, pid_file, provision)

WORKERS = 4          # run-with-stack.sh starts deploy-api with --workers 4
KILLS = 15
KILL_EVERY_S = 2.0
FULL_AGAIN_WITHIN_S = 1.5  # "about a second"; typically 0.03 s, slower on a busy machine

token = provision("workerkills")
master = pid_file("deploy-api")
expect(len(children(master)) == WORKERS, f"expected {WORKERS} workers")
load = WriteLoad("workerkills", "workerkills", token).start()
time.sleep(1)
back_to_full = []
for _ in range(KILLS):
    before = children(master)
    victim = random.choice(before)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while True:
        now = children(master)
        if victim not in now and len(now) == WORKERS:
            break
        expect(time.monotonic() - killed_at < 10, f"the pool stayed short after killing {victim}")
        time.sleep(0.005)
    back_to_full.append(time.monotonic() - killed_at)
    expect(not alive(victim) or victim not in children(master), "the killed worker is still a child")
    time.sleep(max(0.0, killed_at + KILL_EVERY_S - time.monotonic()))
load.stop()

failed = load.failures()
listed = check_writes(load, "workerkills", "workerkills", token)
figures("worker-kills", kills=KILLS, requests=len(load.results), failed=len(failed),
        slowest_s=f"{load.slowest():.3f}", back_to_full_max_s=f"{max(back_to_full):.3f}",
        listed=listed)
if len(failed) > KILLS or load.slowest() >= 2:
    describe_failures(load)
expect(len(failed) <= KILLS, f"{len(failed)} requests failed for {KILLS} kills")
expect(load.slowest() < 2, f"a request took {load.slowest():.3f} s")
expect(max(back_to_full) < FULL_AGAIN_WITHIN_S,
       f"the pool took {max(back_to_full):.3f} s to be full again")
