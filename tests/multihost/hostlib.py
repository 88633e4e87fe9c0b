"""What the several-host scenarios share: the hosts run-with-hosts.sh made
(DEPLOY_NETNS, DEPLOY_HOSTS_DATA), stopping one entirely and starting it
again, and reading when each host served requests from its own log. The
write load and the checks are tests/faults/faultlib.py's."""

import datetime
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["DEPLOY_SRC"], "tests", "faults"))

NETNS = os.environ["DEPLOY_NETNS"]
DATA = os.environ["DEPLOY_HOSTS_DATA"]
SRC = os.environ["DEPLOY_SRC"]
BIN = os.environ["DEPLOY_BIN"]
URL = os.environ["DEPLOY_URL"]
DB_HOST = "198.18.0.5"
ADDRESS = {"h1": "198.18.0.11", "h2": "198.18.0.12", "h3": "198.18.0.13"}


def host_pids(host):
    out = subprocess.run(["ip", "netns", "pids", f"{NETNS}-{host}"], capture_output=True,
                         text=True, check=True).stdout
    return [int(p) for p in out.split()]


def stop_host(host):
    """Every process of HOST killed at once, as when its machine dies."""
    pids = host_pids(host)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while host_pids(host):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{host} still has processes")
        time.sleep(0.02)
    return len(pids)


def in_host(host, commands, *args):
    """Shell COMMANDS with scripts/lib.sh loaded, in HOST: $1 its data
    folder, $2 the binaries, $3 its address, then ARGS."""
    subprocess.run(["ip", "netns", "exec", f"{NETNS}-{host}", "env", f"DEPLOY_DB_HOST={DB_HOST}",
                    "bash", "-c", f'source "{SRC}/scripts/lib.sh"; {commands}', "lib",
                    f"{DATA}/{host}", BIN, ADDRESS[host], *args], check=True)


def start_api(host):
    in_host(host, 'DEPLOY_API_LISTEN="$3:9000" api_start "$1" "$2" --workers 4 --base-url "$4"', URL)


def start_dispatcher(host, *options):
    in_host(host, 'dispatch_start "$1" "$2" "${@:4}"', *options)


def served_since(host, since):
    """Wall-clock times (seconds) of the requests HOST logged at or after
    SINCE."""
    times = []
    with open(f"{DATA}/{host}/log/deploy-api.log", errors="replace") as f:
        for line in f:
            if "msg=request" not in line:
                continue
            m = re.match(r"ts=(\S+)Z ", line)
            if not m:
                continue
            t = datetime.datetime.fromisoformat(m.group(1)).replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if t >= since:
                times.append(t)
    return times
