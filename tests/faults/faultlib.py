"""What the fault tests share: the stack run-with-stack.sh started for them
(DEPLOY_URL, DEPLOY_DB, DEPLOY_BIN, DEPLOY_DATA), a steady write load over
real HTTP, processes found through /proc, and the checks every scenario
ends with: each acknowledged write is listed with its data, and nothing
is written twice.

Each scenario prints one "figures:" line (requests made, failed, slowest,
time back to full strength...) for the closing notes and the operator
docs, and exits non-zero on the first broken promise."""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

URL = urllib.parse.urlsplit(os.environ["DEPLOY_URL"])
DB = os.environ["DEPLOY_DB"]
BIN = os.environ["DEPLOY_BIN"]
DATA = os.environ["DEPLOY_DATA"]
SRC = os.environ["DEPLOY_SRC"]
REQUEST_TIMEOUT_S = 10
SHA = "3f786850e387550fdab836ed7e6dc881de23001b"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)


def deployctl(*args):
    return subprocess.run([f"{BIN}/deployctl", "--db", DB, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def stack_command(command):
    """Runs COMMAND with scripts/lib.sh loaded, $1 the data folder, $2 the
    binaries (api_start "$1" "$2" ..., the way the harness starts things)."""
    subprocess.run(["bash", "-c", f'source "{SRC}/scripts/lib.sh"; {command}', "stack", DATA, BIN],
                   check=True)


def provision(name):
    """A user NAME with a token and a repository NAME/NAME (no git folder:
    refs are SHAs). The token's budget is raised: a load test makes more
    requests in a minute than GitHub's 5,000 an hour."""
    deployctl("user", "create", name)
    deployctl("repo", "create", f"{name}/{name}", "--default-branch", "main")
    return deployctl("token", "create", name, "--scopes", "repo", "--rate-limit", "1000000")


def pid_file(name):
    with open(f"{DATA}/run/{name}.pid") as f:
        return int(f.read())


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields follow the last ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[1])


def children(pid):
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and parent_of(int(p)) == pid]


def alive(pid):
    return parent_of(pid) is not None


def request(method, path, token, body=None, connection=None):
    """(status, parsed body or None, headers, seconds). A connection is
    made for the call unless one is given."""
    conn = connection or http.client.HTTPConnection(URL.hostname, URL.port, timeout=REQUEST_TIMEOUT_S)
    headers = {"Authorization": f"token {token}", "Accept": "application/vnd.github+json"}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    start = time.monotonic()
    try:
        conn.request(method, f"/api/v3{path}", body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        seconds = time.monotonic() - start
        parsed = json.loads(raw) if raw and response.getheader("Content-Type", "").startswith(
            "application/json") else None
        return response.status, parsed, response, seconds
    finally:
        if connection is None:
            conn.close()


class WriteLoad:
    """Creates deployments (write()) at RATE per second, spread over
    THREADS keep-alive connections, until stop(). Each create carries its own
    number in the payload and environment, so the listing afterwards can
    tell which request wrote which row. A failed request is one that got
    no 201 (an error status, a reset, a timeout)."""

    def __init__(self, owner, repo, token, rate=200, threads=8):
        self.path = f"/repos/{owner}/{repo}/deployments"
        self.token = token
        self.interval = threads / rate
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.next_number = 0
        self.results = []  # (number, started, seconds, status, id or None, error)
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()

    def _number(self):
        with self.lock:
            self.next_number += 1
            return self.next_number

    def _run(self):
        conn = None
        due = time.monotonic()
        while not self.stopping.is_set():
            n = self._number()
            body = {"ref": SHA, "environment": f"load-{n}", "payload": {"n": n},
                    "required_contexts": []}
            started = time.monotonic()
            status, dep_id, error = None, None, None
            try:
                conn = conn or http.client.HTTPConnection(URL.hostname, URL.port,
                                                          timeout=REQUEST_TIMEOUT_S)
                status, dep_id = self.write(conn, body)
            except (OSError, http.client.HTTPException) as e:
                error = f"{type(e).__name__}: {e}"
                conn.close()
                conn = None
            seconds = time.monotonic() - started
            with self.lock:
                self.results.append((n, started, seconds, status, dep_id, error))
            due += self.interval
            time.sleep(max(0.0, due - time.monotonic()))
        if conn:
            conn.close()

    def write(self, conn, body):
        """One unit of load: (status, deployment id or None). The create
        alone here; a scenario may do more per deployment."""
        status, parsed, _, _ = request("POST", self.path, self.token, body, conn)
        return status, parsed["id"] if status == 201 else None

    def failures(self):
        return [r for r in self.results if r[3] != 201]

    def slowest(self):
        return max(r[2] for r in self.results)


def list_deployments(owner, repo, token):
    """Every deployment of the repository, following rel="next"."""
    found = []
    path = f"/repos/{owner}/{repo}/deployments?per_page=100"
    while path:
        status, page, response, _ = request("GET", path, token)
        expect(status == 200, f"listing {path}: {status}")
        found.extend(page)
        path = None
        for link in re.findall(r'<([^>]+)>; rel="next"', response.getheader("Link", "")):
            parts = urllib.parse.urlsplit(link)
            path = parts.path.removeprefix("/api/v3") + "?" + parts.query
    return found


def check_writes(load, owner, repo, token):
    """Each 201 is listed with the data it was sent; no request wrote twice
    (a retried or replayed create would list its number twice)."""
    listed = list_deployments(owner, repo, token)
    by_id = {d["id"]: d for d in listed}
    numbers = [d["payload"]["n"] for d in listed]
    expect(len(numbers) == len(set(numbers)), "a create was written twice")
    for n, _, _, status, dep_id, _ in load.results:
        if status != 201:
            continue
        d = by_id.get(dep_id)
        expect(d is not None, f"deployment {dep_id} was acknowledged (201) but is not listed")
        expect(d["payload"] == {"n": n} and d["environment"] == f"load-{n}",
               f"deployment {dep_id} is listed with other data: {d['payload']}, {d['environment']}")
    return len(listed)


def figures(scenario, **values):
    print(f"figures: {scenario} " + " ".join(f"{k}={v}" for k, v in values.items()))


def describe_failures(load, most=5):
    for n, _, seconds, status, _, error in load.failures()[:most]:
        print(f"  request {n}: status {status} after {seconds:.3f} s {error or ''}", file=sys.stderr)
