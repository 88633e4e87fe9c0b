"""What the delivery scenarios share (dispatcher_kills.py here,
multihost/dispatchers_share.py): a real webhook receiver in a process of
its own, a load whose every deployment makes three events, and the checks
on what arrived: every event, valid signatures, a second arrival only
across a kill and then under the same X-GitHub-Delivery, each deployment's
events in order."""

import hashlib
import hmac
import http.server
import json
import multiprocessing
import queue
import time

from faultlib import WriteLoad, expect, request

SECRET = "fault-secret"
# What a killed dispatcher sent just before it died may still be read by
# the receiver after the kill (from its socket buffers and accept queue):
# a first arrival this soon after a kill counts as sent before it.
RECEIVER_LAG_S = 2.0
STATES = ("created", "in_progress", "success")


class Receiver(http.server.ThreadingHTTPServer):
    """Runs in a process of its own (start_receiver()), so that the load's
    threads cannot starve it of the interpreter: a receiver slow to read
    would make the dispatcher time out and retry, duplicates that no kill
    caused."""
    daemon_threads = True
    # A restarted dispatcher opens up to --concurrency connections at once;
    # socketserver's default backlog of 5 would drop their SYNs.
    request_queue_size = 1024

    def __init__(self, address, arrivals):
        super().__init__((address, 0), ReceiverHandler)
        # (monotonic time, guid, event key, valid signature, sender's address)
        self.arrivals = arrivals

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
        self.server.arrivals.put((time.monotonic(), self.headers["X-GitHub-Delivery"], key, valid,
                                  self.client_address[0]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _receive(address, port_out, arrivals):
    server = Receiver(address, arrivals)
    port_out.put(server.server_address[1])
    server.serve_forever()


def start_receiver(address="127.0.0.1"):
    """(the process, its URL)."""
    ports, arrivals = multiprocessing.Queue(), multiprocessing.Queue()
    process = multiprocessing.Process(target=_receive, args=(address, ports, arrivals), daemon=True)
    process.start()
    process.arrivals = arrivals
    return process, f"http://{address}:{ports.get(timeout=10)}/hook"


class DeployAndFinish(WriteLoad):
    """A create, then in_progress and success on it: three events each."""

    def write(self, conn, body):
        status, dep_id = super().write(conn, body)
        for state in STATES[1:]:
            if status != 201:
                break
            status, _, _, _ = request("POST", f"{self.path}/{dep_id}/statuses", self.token,
                                      {"state": state}, conn)
        return status, dep_id


def written_events(load):
    """The deployments all written, and the events they make."""
    written = [r for r in load.results if r[3] == 201]
    expect(len(written) == len(load.results),
           f"{len(load.results) - len(written)} writes failed; the API is not under test here")
    return written, {(r[4], state) for r in written for state in STATES}


def collect_arrivals(receiver, expected, started, within_s):
    """Every arrival, once all EXPECTED events came (and a second more for
    late duplicates); fails the test after WITHIN_S seconds from STARTED."""
    arrivals = []

    def take(seconds):
        try:
            arrivals.append(receiver.arrivals.get(timeout=seconds))
            while True:
                arrivals.append(receiver.arrivals.get_nowait())
        except queue.Empty:
            pass

    while not expected <= {a[2] for a in arrivals}:
        missing = len(expected - {a[2] for a in arrivals})
        expect(time.monotonic() - started < within_s,
               f"{missing} of {len(expected)} events not delivered in {within_s} s")
        take(0.2)
    done = time.monotonic()
    take(1)
    receiver.terminate()
    arrivals.sort()
    return arrivals, done


def check_arrivals(arrivals, expected, written, kills, started):
    """The promises above; returns (duplicates, deployments out of order)."""
    expect(all(a[3] for a in arrivals), "a request arrived with a wrong signature")
    guids, first_seen, duplicates = {}, {}, 0
    for t, guid, key, _, _ in arrivals:
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
    expect(not out_of_order, f"{len(out_of_order)} deployments' events arrived out of order")
    return duplicates, out_of_order


def finish(load, receiver, deployments, kills, started, within_s):
    """Once DEPLOYMENTS were written, the load stopped and every event
    arrived: (written, expected, arrivals, when all arrived, duplicates,
    out of order), the promises checked."""
    while len(load.results) < deployments:
        time.sleep(0.05)
    load.stop()
    written, expected = written_events(load)
    arrivals, done = collect_arrivals(receiver, expected, started, within_s)
    duplicates, out_of_order = check_arrivals(arrivals, expected, written, kills, started)
    return written, expected, arrivals, done, duplicates, out_of_order
