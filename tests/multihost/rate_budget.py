#!/usr/bin/env python3
"""One rate-limit budget across the three API hosts, as GitHub has one per
token: requests spread over the hosts by the balancer together get the
token's budget (never more, less by at most 1%), anonymous calls from one
address get its budget once, not once per host, and one client sent round
the hosts sees X-RateLimit-Remaining go up by at most 1% of the limit."""

import http.client
import threading

import hostlib  # noqa: F401 (puts tests/faults on the path)
from faultlib import URL as PARTS, deployctl, expect, figures, provision

LIMIT = 3000
TRIES = LIMIT + 300
ANONYMOUS_LIMIT = 60   # deploy-api's default --anonymous-rate-limit
SEQUENTIAL_LIMIT = 1000
BOUND = 0.01


def get(path, token=None, conn=None):
    """(status, X-RateLimit-Remaining) of one GET, on a new connection
    unless one is given (the balancer sends each request to a host of its
    choice either way)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(PARTS.hostname, PARTS.port, timeout=10)
    headers = {"Accept": "application/vnd.github+json"}
    if token:
        headers["Authorization"] = f"token {token}"
    try:
        conn.request("GET", f"/api/v3{path}", headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, int(response.getheader("X-RateLimit-Remaining"))
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
            status, _ = get(path, token, conn)
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
    status, remaining = get("/repos/budget/budget", sequential)
    expect(status == 200, f"status {status}")
    worst_rise = max(worst_rise, remaining - last)
    last = remaining
expect(worst_rise <= SEQUENTIAL_LIMIT * BOUND,
       f"X-RateLimit-Remaining went up by {worst_rise} between two requests")
figures("rate-budget", hosts=3, limit=LIMIT, tried=TRIES, allowed=allowed,
        overshoot=max(0, allowed - LIMIT), undershoot=LIMIT - allowed,
        anonymous_allowed=f"{anonymous}/{ANONYMOUS_LIMIT}", remaining_worst_rise=worst_rise)
