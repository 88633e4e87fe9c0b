#!/usr/bin/env python3
"""One rate-limit budget across the three API hosts, as GitHub has one per
token: requests spread over the hosts by the balancer together get the
token's budget (never more, less by at most 1%), anonymous calls from one
address get its budget once, not once per host, and one client sent round
the hosts sees X-RateLimit-Remaining go up by at most 1% of the limit.
Behind a proxy the balancer trusts (the client host here), the client is
the one its X-Forwarded-For names; anyone else's X-Forwarded-For is not
believed."""

import http.client
import json
import subprocess
import threading

from hostlib import NETNS
from faultlib import URL as PARTS, deployctl, expect, figures, provision

LIMIT = 3000
TRIES = LIMIT + 300
ANONYMOUS_LIMIT = 60   # deploy-api's default --anonymous-rate-limit
SEQUENTIAL_LIMIT = 1000
BOUND = 0.01


def get(path, token=None, conn=None, forwarded_for=None):
    """(status, X-RateLimit-Remaining, body) of one GET, on a new
    connection unless one is given (the balancer sends each request to a
    host of its choice either way)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(PARTS.hostname, PARTS.port, timeout=10)
    headers = {"Accept": "application/vnd.github+json"}
    if token:
        headers["Authorization"] = f"token {token}"
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        conn.request("GET", f"/api/v3{path}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, int(response.getheader("X-RateLimit-Remaining")), body
    finally:
        if own:
            conn.close()


def spread(path, token, tries, threads=8):
    """How many of TRIES concurrent requests were answered 200."""
    statuses = []
    lock = threading.Lock()

    def run(n):
        conn = http.client.HTTPConnection(PARTS.hostname, PARTS.port, timeout=10)
        for _ in range(n):
            status, _, _ = get(path, token, conn)
            with lock:
                statuses.append(status)
        conn.close()

    workers = [threading.Thread(target=run, args=(tries // threads + (i < tries % threads),))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    expect(set(statuses) <= {200, 403}, f"statuses other than 200 and 403: {set(statuses)}")
    return statuses.count(200)


token = provision("budget")
limited = deployctl("token", "create", "budget", "--scopes", "repo", "--rate-limit", str(LIMIT))
allowed = spread("/repos/budget/budget", limited, TRIES)
expect(allowed <= LIMIT, f"{allowed} requests allowed of a budget of {LIMIT}")
expect(allowed >= LIMIT * (1 - BOUND), f"only {allowed} requests allowed of a budget of {LIMIT}")

anonymous = spread("/repos/budget/budget", None, ANONYMOUS_LIMIT + 30, threads=3)
expect(ANONYMOUS_LIMIT * (1 - BOUND) - 1 <= anonymous <= ANONYMOUS_LIMIT,
       f"{anonymous} anonymous requests allowed of a budget of {ANONYMOUS_LIMIT}")

sequential = deployctl("token", "create", "budget", "--scopes", "repo", "--rate-limit",
                       str(SEQUENTIAL_LIMIT))
last, worst_rise = SEQUENTIAL_LIMIT, 0
for _ in range(SEQUENTIAL_LIMIT // 2):
    status, remaining, _ = get("/repos/budget/budget", sequential)
    expect(status == 200, f"status {status}")
    worst_rise = max(worst_rise, remaining - last)
    last = remaining
expect(worst_rise <= SEQUENTIAL_LIMIT * BOUND,
       f"X-RateLimit-Remaining went up by {worst_rise} between two requests")
# This client's own address has spent its budget above; a client behind it
# (as the trusted proxy says) has one of its own, and is named when spent.
forwarded = [get("/repos/budget/budget", forwarded_for="203.0.113.7")
             for _ in range(ANONYMOUS_LIMIT + 5)]
expect(sum(1 for f in forwarded if f[0] == 200) == ANONYMOUS_LIMIT,
       "a forwarded client did not get its own anonymous budget")
message = json.loads(forwarded[-1][2])["message"]
expect(forwarded[-1][0] == 403 and "203.0.113.7" in message, f"spent: {forwarded[-1][0]} {message}")
# From a host that is no trusted proxy, the same header is the sender's lie.
out = subprocess.run(["ip", "netns", "exec", f"{NETNS}-h3", "curl", "-s", "-o", "/dev/null",
                      "-w", "%{http_code}", "-H", "X-Forwarded-For: 203.0.113.7",
                      f"http://{PARTS.hostname}:{PARTS.port}/api/v3/repos/budget/budget"],
                     capture_output=True, text=True, check=True).stdout
expect(out == "200", f"an untrusted X-Forwarded-For was believed: {out}")
figures("rate-budget", hosts=3, limit=LIMIT, tried=TRIES, allowed=allowed,
        overshoot=max(0, allowed - LIMIT), undershoot=LIMIT - allowed,
        anonymous_allowed=f"{anonymous}/{ANONYMOUS_LIMIT}", remaining_worst_rise=worst_rise)
