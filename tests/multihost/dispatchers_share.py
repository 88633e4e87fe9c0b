#!/usr/bin/env python3
"""Two dispatchers, on two API hosts, share one outbox while creates and
statuses go through the balancer to all three hosts; one of them is
SIGKILLed halfway and started again. Every event arrives, from both
dispatchers, once, under one delivery id (a second arrival only across the
kill, under the same id), and each deployment's events arrive in order."""

import os
import signal
import time

from hostlib import host_pids, start_dispatcher
from deliverylib import SECRET, DeployAndFinish, finish, start_receiver
from faultlib import deployctl, expect, figures, provision

DEPLOYMENTS = 900
RATE = 100
KILL_AT_S = 4.0
RESTART_AFTER_S = 0.5
OPTIONS = ("--lease-seconds", "12")
ALL_DELIVERED_WITHIN_S = 90
DISPATCHERS = {"h1": "198.18.0.11", "h2": "198.18.0.12"}


def dispatcher_pid(host):
    with open(f"{os.environ['DEPLOY_HOSTS_DATA']}/{host}/run/deploy-dispatch.pid") as f:
        pid = int(f.read())
    expect(pid in host_pids(host), f"{host}'s dispatcher is not running")
    return pid


receiver, hook_url = start_receiver("198.18.0.100")
token = provision("sharing")
deployctl("hook", "create", "sharing/sharing", "--url", hook_url, "--secret", SECRET,
          "--events", "deployment,deployment_status", "--content-type", "json")
for host in DISPATCHERS:
    start_dispatcher(host, *OPTIONS)

load = DeployAndFinish("sharing", "sharing", token, rate=RATE).start()
started = time.monotonic()
time.sleep(KILL_AT_S)
os.kill(dispatcher_pid("h1"), signal.SIGKILL)
kills = [time.monotonic()]
time.sleep(RESTART_AFTER_S)
start_dispatcher("h1", *OPTIONS)
written, expected, arrivals, done, duplicates, out_of_order = finish(
    load, receiver, DEPLOYMENTS, kills, started, ALL_DELIVERED_WITHIN_S)
by_sender = {host: sum(1 for a in arrivals if a[4] == address) for host, address in DISPATCHERS.items()}
figures("dispatchers-share", deployments=len(written), events=len(expected), requests=len(arrivals),
        duplicated=duplicates, out_of_order=len(out_of_order),
        **{f"sent_by_{h}": n for h, n in by_sender.items()},
        all_delivered_after_kill_s=f"{done - kills[0]:.1f}")
expect(all(n > 0 for n in by_sender.values()), f"one dispatcher did all the work: {by_sender}")
