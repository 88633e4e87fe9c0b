#!/usr/bin/env python3
"""The deploy-api master SIGKILLed under a steady write load, and a new one
started at once on the same socket while the old workers still finish
their requests: the old workers exit by themselves, the new master neither
fails nor waits for them and serves within 2 s, a third master started
while that one lives is refused and steals nothing, requests fail only
while no worker is left, and nothing acknowledged is lost or written
twice."""

import os
import signal
import subprocess
import time

from faultlib import (BIN, DATA, DB, WriteLoad, alive, check_writes, children, describe_failures,
                      expect, figures, pid_file, provision, stack_command)

WORKERS = 4

token = provision("masterkill")
old_master = pid_file("deploy-api")
old_workers = children(old_master)
expect(len(old_workers) == WORKERS, f"expected {WORKERS} workers")
load = WriteLoad("masterkill", "masterkill", token).start()
time.sleep(2)
killed_at = time.monotonic()
os.kill(old_master, signal.SIGKILL)
stack_command('api_start "$1" "$2" --workers 4')
restarted_at = time.monotonic()
new_master = pid_file("deploy-api")
expect(new_master != old_master and alive(new_master), "the new master did not start")

# The old workers notice their master is gone and exit after the request in hand.
while any(alive(w) for w in old_workers):
    expect(time.monotonic() - killed_at < 5, "workers of the killed master are still running")
    time.sleep(0.01)
orphans_gone_s = time.monotonic() - killed_at

# A second master on the live one's socket is refused, and the live one keeps its workers.
second = subprocess.run([f"{BIN}/deploy-api", "--listen", f"unix:{DATA}/run/api.sock", "--db", DB,
                         "--workers", "1"], capture_output=True, text=True, timeout=10)
expect(second.returncode != 0 and "another server" in second.stderr,
       f"a second master was not refused: {second.returncode} {second.stderr}")
time.sleep(2)
expect(len(children(new_master)) == WORKERS, "the live master lost workers to the refused one")
load.stop()

failed = load.failures()
first_201 = min((r[1] + r[2] for r in load.results if r[3] == 201 and r[1] >= restarted_at),
                default=None)
expect(first_201 is not None, "no create succeeded after the restart")
# A request fails only in the window between the kill and the new master's first answer.
late = [r for r in failed if r[1] > first_201]
listed = check_writes(load, "masterkill", "masterkill", token)
figures("master-kill", requests=len(load.results), failed=len(failed),
        slowest_s=f"{load.slowest():.3f}", old_workers_gone_s=f"{orphans_gone_s:.3f}",
        serving_again_s=f"{first_201 - restarted_at:.3f}", listed=listed)
if late:
    describe_failures(load)
expect(not late, f"{len(late)} requests failed after the new master served")
expect(first_201 - restarted_at < 2, "the new master took 2 s or more to serve")
