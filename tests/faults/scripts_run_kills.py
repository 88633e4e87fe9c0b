#!/usr/bin/env python3
"""scripts/run supervises what it starts: nginx, PostgreSQL and
deploy-dispatch SIGKILLed one after the other under a steady write load
each come back by themselves, the API answers 201 again within 5 s of each
kill, no acknowledged write is lost or written twice, and SIGTERM then
stops everything, promptly and completely.

Starts scripts/run itself (with the binaries of this build) rather than
running under run-with-stack.sh: scripts/run is what is under test."""

import importlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ["DEPLOY_SRC"]
SERVING_AGAIN_WITHIN_S = 5
STOPPED_WITHIN_S = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


data = tempfile.mkdtemp(prefix="deploy-run-kills.")
os.chmod(data, 0o755)
run = subprocess.Popen([f"{SRC}/scripts/run", "--bin", os.environ["DEPLOY_BIN"], "--data", data,
                        "--port", str(free_port())], stdout=subprocess.PIPE, text=True,
                       stdin=subprocess.DEVNULL)
printed = {}
for line in run.stdout:
    key, _, value = line.strip().partition(": ")
    printed[key] = value
    if key == "logs" or "try" in printed:
        break
if "ready" not in printed:
    print(f"FAIL: scripts/run did not start (exit {run.wait()})", file=sys.stderr)
    sys.exit(1)
os.environ.update(DEPLOY_URL=printed["ready"], DEPLOY_DB=printed["db"], DEPLOY_DATA=data)
faultlib = importlib.import_module("faultlib")
expect, pid_file = faultlib.expect, faultlib.pid_file


def component_pids():
    with open(f"{data}/pg/postmaster.pid") as f:
        postgres = int(f.readline())
    return {"nginx": pid_file("nginx.master"), "postgres": postgres,
            "deploy-dispatch": pid_file("deploy-dispatch"), "deploy-api": pid_file("deploy-api")}


def stack_processes(pids):
    """The stack's processes: each component and everything below it."""
    found = set()
    for pid in pids:
        found.add(pid)
        todo = [pid]
        while todo:
            kids = faultlib.children(todo.pop())
            found.update(kids)
            todo.extend(kids)
    return {p for p in found if faultlib.alive(p)}


try:
    token = faultlib.provision("runkills")
    load = faultlib.WriteLoad("runkills", "runkills", token, rate=100).start()
    recovered = {}
    for name in ("nginx", "postgres", "deploy-dispatch"):
        time.sleep(2)
        victim = component_pids()[name]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        while True:
            try:
                back = component_pids()[name] != victim
            except (OSError, ValueError):
                back = False
            served = any(r[3] == 201 and r[1] > killed_at for r in list(load.results))
            if back and served:
                break
            expect(time.monotonic() - killed_at < SERVING_AGAIN_WITHIN_S,
                   f"{name} killed: not back and serving within {SERVING_AGAIN_WITHIN_S} s")
            time.sleep(0.05)
        recovered[name] = time.monotonic() - killed_at
    time.sleep(1)
    load.stop()
    listed = faultlib.check_writes(load, "runkills", "runkills", token)

    processes = stack_processes(component_pids().values())
    stop_at = time.monotonic()
    run.send_signal(signal.SIGTERM)
    run.wait(timeout=STOPPED_WITHIN_S)
    stopped_s = time.monotonic() - stop_at
    left = {p for p in processes if faultlib.alive(p)}
    faultlib.figures("scripts-run-kills", requests=len(load.results),
                     failed=len(load.failures()), slowest_s=f"{load.slowest():.3f}",
                     **{f"{n}_back_s": f"{s:.2f}" for n, s in recovered.items()},
                     listed=listed, stopped_s=f"{stopped_s:.2f}")
    expect(not left, f"processes left after SIGTERM: {sorted(left)}")
finally:
    if run.poll() is None:
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=STOPPED_WITHIN_S)
    subprocess.run(["rm", "-rf", data])
