#!/usr/bin/env python3
"""deploy-dispatch SIGKILLed twice while it delivers thousands of events to
a real receiver, and started again each time (as a supervisor would):
every event arrives, every request carries a valid signature, an event
arrives twice only across a kill and then under the same
X-GitHub-Delivery, and each deployment's events arrive in order."""

import os
import signal
import time

from deliverylib import SECRET, DeployAndFinish, finish, start_receiver
from faultlib import deployctl, figures, pid_file, provision, stack_command

DEPLOYMENTS = 1500
RATE = 150               # deployments per second, each with two statuses
KILL_AT_S = (3.0, 6.0)
RESTART_AFTER_S = 0.3
# Shorter leases than the default 60 s, so deliveries a killed dispatcher
# held are due again within the test.
DISPATCH_OPTIONS = "--lease-seconds 12"
ALL_DELIVERED_WITHIN_S = 90

receiver, hook_url = start_receiver()
token = provision("dispatchkills")
deployctl("hook", "create", "dispatchkills/dispatchkills", "--url", hook_url, "--secret", SECRET,
          "--events", "deployment,deployment_status", "--content-type", "json")
stack_command(f'dispatch_start "$1" "$2" {DISPATCH_OPTIONS}')

load = DeployAndFinish("dispatchkills", "dispatchkills", token, rate=RATE).start()
started = time.monotonic()
kills = []
for at in KILL_AT_S:
    time.sleep(max(0.0, started + at - time.monotonic()))
    os.kill(pid_file("deploy-dispatch"), signal.SIGKILL)
    kills.append(time.monotonic())
    time.sleep(RESTART_AFTER_S)
    stack_command(f'dispatch_start "$1" "$2" {DISPATCH_OPTIONS}')
written, expected, arrivals, done, duplicates, out_of_order = finish(
    load, receiver, DEPLOYMENTS, kills, started, ALL_DELIVERED_WITHIN_S)
figures("dispatcher-kills", kills=len(kills), deployments=len(written), events=len(expected),
        requests=len(arrivals), duplicated=duplicates, out_of_order=len(out_of_order),
        all_delivered_after_last_kill_s=f"{done - kills[-1]:.1f}")
