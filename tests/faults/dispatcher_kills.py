#!/usr/bin/env python3
"""deploy-dispatch SIGKILLed twice while it delivers thousands of events to
a real receiver, and started again each time (as a supervisor would):
every event arrives, every request carries a valid signature, an event
arrives twice only across a kill and then under the same
X-GitHub-Delivery, and each deployment's events arrive in order."""

import hashlib
import hmac
import http.server
import json
import multiprocessing
import os
import queue
import signal
import time

from faultlib import (WriteLoad, deployctl, expect, figures, pid_file, provision, request,
                      stack_command)

DEPLOYMENTS = 1500
RATE = 150               # deployments per second, each with two statuses
KILL_AT_S = (3.0, 6.0)
RESTART_AFTER_S = 0.3
SECRET = "fault-secret"
# Shorter leases than the default 60 s, so deliveries a killed dispatcher
# held are due again within the test.
DISPATCH_OPTIONS = "--lease-seconds 12"
ALL_DELIVERED_WITHIN_S = 90
# What the killed dispatcher sent just before it died may still be read by
# the receiver after the kill (from its socket buffers and accept queue):
# a first arrival this soon after a kill counts as sent before it.
RECEIVER_LAG_S = 2.0


class Receiver(http.server.ThreadingHTTPServer):
    """Runs in a process of its own (receive()), so that the load's threads
    cannot starve it of the interpreter: a receiver slow to read would make
    the dispatcher time out and retry, duplicates that no kill caused."""
    daemon_threads = True
    # A restarted dispatcher opens up to --concurrency connections at once;
    # socketserver's default backlog of 5 would drop their SYNs.
    request_queue_size = 1024

    def __init__(self, arrivals):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.arrivals = arrivals  # (monotonic time, guid, event key, valid signature)

    def handle_error(self, request, client_address):
        pass  # a killed dispatcher resets its connections: expected here


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", ""))
        event = self.headers["X-GitHub-Event"]
        payload = json.loads(body)
        if event == "deployment":
            key = (payload["deployment"]["id"], "created")
        else:
            key = (payload["deployment"]["id"], payload["deployment_status"]["state"])
        self.server.arrivals.put((time.monotonic(), self.headers["X-GitHub-Delivery"], key, valid))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def receive(port_out, arrivals):
    server = Receiver(arrivals)
    port_out.put(server.server_address[1])
    server.serve_forever()


class DeployAndFinish(WriteLoad):
    """A create, then in_progress and success on it: three events each."""

    def write(self, conn, body):
        status, dep_id = super().write(conn, body)
        for state in ("in_progress", "success"):
            if status != 201:
                break
            status, _, _, _ = request("POST", f"{self.path}/{dep_id}/statuses", self.token,
                                      {"state": state}, conn)
        return status, dep_id


port_queue, arrival_queue = multiprocessing.Queue(), multiprocessing.Queue()
receiver = multiprocessing.Process(target=receive, args=(port_queue, arrival_queue), daemon=True)
receiver.start()
token = provision("dispatchkills")
deployctl("hook", "create", "dispatchkills/dispatchkills", "--url",
          f"http://127.0.0.1:{port_queue.get(timeout=10)}/hook", "--secret", SECRET,
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
while len(load.results) < DEPLOYMENTS:
    time.sleep(0.05)
load.stop()

written = [r for r in load.results if r[3] == 201]
expect(len(written) == len(load.results),
       f"{len(load.results) - len(written)} writes failed; the API is not under test here")
expected = {(r[4], state) for r in written for state in ("created", "in_progress", "success")}
arrivals = []


def take_arrivals(seconds):
    try:
        arrivals.append(arrival_queue.get(timeout=seconds))
        while True:
            arrivals.append(arrival_queue.get_nowait())
    except queue.Empty:
        pass


while not expected <= {a[2] for a in arrivals}:
    expect(time.monotonic() - started < ALL_DELIVERED_WITHIN_S,
           f"{len(expected - {a[2] for a in arrivals})} of {len(expected)} events not delivered "
           f"in {ALL_DELIVERED_WITHIN_S} s")
    take_arrivals(0.2)
all_delivered_s = time.monotonic() - kills[-1]
take_arrivals(1)  # a late duplicate would arrive now
receiver.terminate()

arrivals.sort()
expect(all(a[3] for a in arrivals), "a request arrived with a wrong signature")
guids, first_seen, duplicates = {}, {}, 0
for t, guid, key, _ in arrivals:
    guids.setdefault(key, set()).add(guid)
    if key in first_seen:
        duplicates += 1
        expect(any(first_seen[key] < k + RECEIVER_LAG_S and k < t for k in kills),
               f"{key} arrived at {first_seen[key] - started:.3f} s and again at "
               f"{t - started:.3f} s, kills at " + ", ".join(f"{k - started:.3f}" for k in kills))
    else:
        first_seen[key] = t
expect(all(len(g) == 1 for g in guids.values()), "an event arrived under two delivery ids")
expect(set(first_seen) == expected, "the receiver got events nobody wrote")
out_of_order = [d for d in {r[4] for r in written}
                if not first_seen[(d, "created")] <= first_seen[(d, "in_progress")]
                <= first_seen[(d, "success")]]
figures("dispatcher-kills", kills=len(kills), deployments=len(written), events=len(expected),
        requests=len(arrivals), duplicated=duplicates, out_of_order=len(out_of_order),
        all_delivered_after_last_kill_s=f"{all_delivered_s:.1f}")
expect(not out_of_order, f"{len(out_of_order)} deployments' events arrived out of order")
