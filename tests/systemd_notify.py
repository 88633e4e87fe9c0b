#!/usr/bin/env python3
"""deploy-api and deploy-dispatch tell systemd their state (sd_notify):
READY=1 once started; for deploy-api, SIGHUP gives RELOADING=1 (with
MONOTONIC_USEC, for systemd 253+) and READY=1 once the new workers run;
SIGTERM gives STOPPING=1. The test plays systemd: a datagram socket in
$NOTIFY_SOCKET. Neither program needs its database to start (both retry
it), so none runs. A build without libsystemd must send nothing and
behave the same otherwise.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ["DEPLOY_BIN"]
WITH_SYSTEMD = os.environ["DEPLOY_WITH_SYSTEMD"] == "yes"
TIMEOUT = 15

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def receive(sock, until):
    """The next notification, or None once `until` (monotonic) passes."""
    sock.settimeout(max(0.01, until - time.monotonic()))
    try:
        return sock.recv(4096).decode()
    except socket.timeout:
        return None


def expect(sock, field, what):
    """Waits for a notification holding field; returns its fields."""
    until = time.monotonic() + TIMEOUT
    while True:
        msg = receive(sock, until)
        if msg is None:
            check(False, f"{what}: no {field} within {TIMEOUT} s")
            return {}
        fields = dict(line.split("=", 1) for line in msg.split("\n") if "=" in line)
        if field in fields:
            check(True, f"{what}: {field}")
            return fields


def drained(sock):
    """Notifications already queued (a process that exited sent all it will)."""
    sock.setblocking(False)
    out = []
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    return out


def wait_exit(proc, what):
    try:
        rc = proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, f"{what}: exits 0 (got {rc})")


def wait_started(log_path, proc):
    """Both programs log "started" once their signals are set up."""
    until = time.monotonic() + TIMEOUT
    while time.monotonic() < until and proc.poll() is None:
        with open(log_path) as f:
            if "started" in f.read():
                return True
        time.sleep(0.05)
    return False


def run(tmp, notify_path, name, args, reloads):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(notify_path)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    log_path = os.path.join(tmp, name + ".log")
    log = open(log_path, "w")
    failed_before = len(failures)
    proc = subprocess.Popen([os.path.join(BIN, name)] + args, env=env, stdout=log, stderr=log)
    try:
        if WITH_SYSTEMD:
            expect(sock, "READY", f"{name} started")
            if reloads:
                proc.send_signal(signal.SIGHUP)
                fields = expect(sock, "RELOADING", f"{name} SIGHUP")
                check(fields.get("MONOTONIC_USEC", "").isdigit(), f"{name} SIGHUP: MONOTONIC_USEC")
                expect(sock, "READY", f"{name} reloaded")
            proc.send_signal(signal.SIGTERM)
            expect(sock, "STOPPING", f"{name} SIGTERM")
            wait_exit(proc, name)
        else:
            check(wait_started(log_path, proc), f"{name} started")
            if reloads:
                proc.send_signal(signal.SIGHUP)
            proc.send_signal(signal.SIGTERM)
            wait_exit(proc, name)
            sent = drained(sock)
            check(sent == [], f"{name} built without libsystemd sends nothing (got {sent})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        sock.close()
        os.unlink(notify_path)
    if len(failures) > failed_before:
        with open(log_path) as f:
            sys.stdout.write(f.read()[-3000:])


def main():
    # No PostgreSQL answers here: the programs must start regardless.
    nodb = "host=/nonexistent dbname=deploy connect_timeout=2"
    with tempfile.TemporaryDirectory(prefix="deploy-notify.") as tmp:
        notify_path = os.path.join(tmp, "notify")
        run(tmp, notify_path, "deploy-api",
            ["--listen", "unix:" + os.path.join(tmp, "api.sock"), "--workers", "2", "--db", nodb], True)
        run(tmp, notify_path, "deploy-dispatch", ["--db", nodb], False)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
