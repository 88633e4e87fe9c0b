#!/usr/bin/env python3
"""bench/measure.py: the arithmetic of the benchmarks. bench/run.sh and
bench/dispatch.sh start and stop the processes and run wrk, pgbench and
psql; this program assembles the pgbench scripts, accounts for the CPU from
/proc, turns the tools' outputs into rows and writes the report.

  assemble [--check] DIR          the pgbench scripts of bench/sql, into DIR
  cpu-snapshot GROUP=PID...       CPU ticks of process trees
  cpu-record KEY BEFORE AFTER     a measurement's CPU from its two edges, a cpu.tsv row
  tree-pids PID...                the processes of these trees, for perf -p
  wrk-result KEY C RAW RESULTS    a wrk run (lua/common.lua's BENCH line) into RESULTS
  pgbench-result KEY C RAW RESULTS
                                  a pgbench run into RESULTS
  peak RESULTS KEY                the best req/s of KEY
  worker-statements LOG OFFSET    what the workers ran, from PostgreSQL's log
  report DATA OUTPUT              the Markdown report of a bench/run.sh data folder
  ticks PID...                    user + system ticks of processes (dispatch.sh)
  children-ticks PID              "pid ticks" of each child of PID (dispatch.sh)
  ticks-spent BEFORE AFTER        ticks between two children-ticks files
  dispatch-run EVENTS T0 T1 RECEIVER_LOG DISPATCH PG RECEIVER
                                  one throughput run of dispatch.sh as a line
  median-run FILE                 the dispatch-run line of median rate, its number
  statement-rows FILE             pg_stat_statements figures as table rows (dispatch.sh)
  verdict VALUE OP LIMIT          "met" or "**not met**", OP being < or >=

Standard library only (Debian's python3).
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
# As nproc counts them: the CPUs this process may run on.
NCPU = len(os.sched_getaffinity(0))


def die(message):
    sys.exit("error: " + message)


# --- assembling the pgbench scripts -----------------------------------------
# A script of bench/sql is a template: {{NAME key=value ...}} stands for the
# fragment bench/sql/fragments/NAME.sql, whose @key@ are replaced by the
# values (shell-quoted where they hold spaces). A fragment may include
# others. Its leading "--" lines document it and are not part of it, nor is
# its final newline. The scripts must hold the statements deploy-api runs to
# the letter (run.sh's check_sql compares them), so a statement that
# several endpoints run is written once, as the C code builds it once.
INCLUDE = re.compile(r"\{\{(\w+)((?:\s+[^}]*)?)\}\}")
PARAMETER = re.compile(r"@(\w+)@")
FRAGMENTS = os.path.join(BENCH_DIR, "sql", "fragments")


def fragment(name):
    path = os.path.join(FRAGMENTS, name + ".sql")
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        die("no fragment %s (%s)" % (name, path))
    while lines and lines[0].startswith("--"):
        lines.pop(0)
    text = "\n".join(lines)
    return text[:-1] if text.endswith("\n") else text


def expand(text, where, depth=0):
    if depth > 8:
        die("%s: fragments include each other in a loop" % where)

    def include(match):
        name, args = match.group(1), shlex.split(match.group(2))
        values = dict(a.split("=", 1) for a in args)
        body = fragment(name)
        wanted = set(PARAMETER.findall(body))
        if wanted != set(values):
            die("%s: {{%s}} takes %s, given %s" % (where, name, sorted(wanted), sorted(values)))
        body = PARAMETER.sub(lambda m: values[m.group(1)], body)
        return expand(body, "%s > %s" % (where, name), depth + 1)

    return INCLUDE.sub(include, text)


def cmd_assemble(args):
    templates = sorted(glob.glob(os.path.join(BENCH_DIR, "sql", "*.sql")))
    differ = []
    for template in templates:
        name = os.path.basename(template)
        with open(template) as f:
            script = expand(f.read(), name)
        target = os.path.join(args.dir, name)
        if args.check:
            try:
                with open(target) as f:
                    same = f.read() == script
            except FileNotFoundError:
                same = False
            if not same:
                differ.append(name)
        else:
            os.makedirs(args.dir, exist_ok=True)
            with open(target, "w") as f:
                f.write(script)
    if differ:
        die("assembled scripts differ from those in %s: %s" % (args.dir, ", ".join(differ)))
    if args.check:
        print("%d scripts, the same as in %s" % (len(templates), args.dir))


# --- /proc ------------------------------------------------------------------
def proc_stats():
    """{pid: (ppid, the /proc/PID/stat fields after the command name)}"""
    stats = {}
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                line = f.read()
        except OSError:  # the process ended meanwhile
            continue
        pid = int(line.split(" ", 1)[0])
        # The command name, in parentheses, may hold spaces and parentheses.
        fields = line.rpartition(") ")[2].split()
        stats[pid] = (int(fields[1]), fields)
    return stats


def own_ticks(fields):
    """utime + stime."""
    return int(fields[11]) + int(fields[12])


def reaped_ticks(fields):
    """cutime + cstime: the children a process has waited for."""
    return int(fields[13]) + int(fields[14])


def tree_root(pid, stats, roots):
    """The member of roots that pid descends from, or None."""
    for _ in range(64):
        if pid in roots:
            return pid
        if pid not in stats or pid <= 1:
            return None
        pid = stats[pid][0]
    return None


def cmd_cpu_snapshot(args):
    roots = {}
    for group_pid in args.groups:
        group, pid = group_pid.split("=")
        roots[int(pid)] = group
    stats = proc_stats()
    sums = dict.fromkeys(roots.values(), 0)
    for pid, (_, fields) in stats.items():
        root = tree_root(pid, stats, roots)
        if root is not None:
            # Reaped children (recycled workers, pgbench's backends) count
            # in their parent.
            sums[roots[root]] += own_ticks(fields) + reaped_ticks(fields)
    for group, ticks in sums.items():
        print("%s %d" % (group, ticks))


TIMES = re.compile(r"(\d+)m([\d.]+)s (\d+)m([\d.]+)s")


def read_edge(path):
    """One edge of a measurement, as run.sh writes it: the lines of
    cpu-snapshot, the "cpu" line of /proc/stat and the output of the shell's
    times builtin, whose second line is the CPU of the shell's finished
    children: the load (wrk, pgbench). Ticks by name: busy, total, load and
    the groups."""
    edge = {}
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        words = line.split()
        if words and words[0] == "cpu":
            cpu = [int(x) for x in words[1:]]
            edge["busy"] = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]  # user nice system irq softirq steal
            edge["total"] = edge["busy"] + cpu[3] + cpu[4]  # idle iowait
        elif TIMES.fullmatch(line):
            m = TIMES.fullmatch(line)
            seconds = int(m.group(1)) * 60 + float(m.group(2)) + int(m.group(3)) * 60 + float(m.group(4))
            edge["load"] = int(seconds * CLK_TCK)  # the last such line: the children's
        elif len(words) == 2:
            edge[words[0]] = int(words[1])
    return edge


# The columns of cpu.tsv, after busy: the process trees of bench/run.sh
# (deploy-api, the stack's PostgreSQL and nginx, the ceilings' nginx and
# fcgi_static, deploy-dispatch, the reference's scratch cluster).
CPU_GROUPS = ("api", "pg", "nginx", "cnginx", "fcgi", "dispatch", "ref")


def cmd_cpu_record(args):
    """% of one core over the run per group; "load" is wrk or pgbench,
    "other" whatever else kept the machine busy."""
    before, after = read_edge(args.before), read_edge(args.after)
    spent = {k: v - before.get(k, 0) for k, v in after.items()}
    secs = spent["total"] / CLK_TCK / NCPU
    if secs <= 0:
        secs = 1

    def pct(ticks):
        return "%.0f" % (100 * ticks / CLK_TCK / secs)

    groups = {g: max(spent.get(g, 0), 0) for g in CPU_GROUPS}
    load = max(spent["load"], 0)
    rest = max(spent["busy"] - sum(groups.values()), 0)
    other = max(rest - load, 0)
    row = [args.key, "busy=" + pct(spent["busy"])]
    row += ["%s=%s" % (g, pct(t)) for g, t in groups.items()]
    row += ["load=" + pct(load), "other=" + pct(other), "rest=" + pct(rest)]
    print("\t".join(row))


def cmd_tree_pids(args):
    stats = proc_stats()
    roots = set(args.pids)
    print(",".join(str(p) for p in sorted(stats) if tree_root(p, stats, roots) is not None))


def cmd_ticks(args):
    total = 0
    for pid in args.pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                total += own_ticks(f.read().rpartition(") ")[2].split())
        except OSError:  # gone
            pass
    print(total)


def cmd_children_ticks(args):
    for pid, (ppid, fields) in sorted(proc_stats().items()):
        if ppid == args.pid:
            print(pid, own_ticks(fields))


def read_pairs(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.split() for line in f if line.strip())}


def cmd_ticks_spent(args):
    """PostgreSQL's backends come and go: a backend absent before started
    during the run."""
    before, after = read_pairs(args.before), read_pairs(args.after)
    print(sum(t - before.get(p, 0) for p, t in after.items()))


# --- wrk and pgbench --------------------------------------------------------
def append_row(path, fields):
    with open(path, "a") as f:
        f.write("\t".join(str(x) for x in fields) + "\n")


def failed(args, tool):
    """A run that gave no figure: a FAILED row, and no summary (exit 1)."""
    append_row(args.results, [args.key, args.c, "FAILED", "-", "-", "-", tool + " failed"])
    sys.exit(1)


def cmd_wrk_result(args):
    """results.tsv: KEY C rps p50_us p90_us p99_us errors requests; prints the
    summary line."""
    with open(args.raw, errors="replace") as f:
        raw = f.read()
    line = next((l for l in raw.split("\n") if l.startswith("BENCH ")), None)
    if line is None:
        sys.stderr.write(raw)
        failed(args, "wrk")
    v = dict(kv.split("=", 1) for kv in line.split()[1:])
    errors = sum(int(v[k]) for k in ("err_connect", "err_read", "err_write", "err_timeout", "non2xx3xx"))
    append_row(args.results, [args.key, args.c, v["rps"], v["p50_us"], v["p90_us"], v["p99_us"],
                              errors, v["requests"]])
    print("%s req/s, p50 %s us, p99 %s us, errors %d" % (v["rps"], v["p50_us"], v["p99_us"], errors))


def first_match(pattern, text):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else None


def cmd_pgbench_result(args):
    """results.tsv: KEY C tps latency_us - - failures transactions, where
    clients that aborted (an error in the script) count as failures; prints
    the summary line."""
    with open(args.raw, errors="replace") as f:
        raw = f.read()
    tps = first_match(r"^tps = ([0-9.]*) ", raw)
    latency_ms = first_match(r"^latency average = ([0-9.]*) ms", raw)
    failures = int(first_match(r"^number of failed transactions: ([0-9]*)", raw) or 0)
    aborted = sum("aborted in command" in l for l in raw.split("\n"))
    transactions = first_match(r"^number of transactions actually processed: ([0-9]*)", raw)
    if tps is None or aborted:
        # Its errors, without the trace of every statement.
        lines = [l for l in raw.split("\n") if not re.match(r"pgbench: client [0-9]* executing", l)]
        sys.stderr.write("\n".join(lines[:20]) + "\n")
    if tps is None:
        failed(args, "pgbench")
    failures += aborted
    latency_us = int(float(latency_ms or 0) * 1000)
    append_row(args.results, [args.key, args.c, tps, latency_us, "-", "-", failures, transactions or "-"])
    print("%s tps, average latency %d us, failed %d" % (tps, latency_us, failures))


def cmd_peak(args):
    rates = [awk_value(r[2]) for r in read_tsv(args.results) if r[0] == args.key and len(r) > 2]
    print("%.0f" % max([0] + rates))


def cmd_worker_statements(args):
    """The statements and their parameters that the workers executed, from
    byte OFFSET of PostgreSQL's log on (log_min_duration_statement = 0), one
    a line."""
    with open(args.log, "rb") as f:
        f.seek(args.offset)
        text = f.read().decode(errors="surrogateescape")
    entries = [""]
    for line in text.split("\n"):
        if line.startswith("\t"):  # a statement's next line
            entries[-1] += " " + line[1:]
        else:
            entries.append(line)
    wanted = re.compile(r"duration: [0-9.]+ ms  (execute [^:]*|statement): |DETAIL:  parameters: ")
    ours = re.compile(r"ALTER SYSTEM|pg_reload_conf")
    out = sys.stdout.buffer
    for e in entries:
        if wanted.search(e) and not ours.search(e):
            out.write((e + "\n").encode(errors="surrogateescape"))


# --- dispatch.sh ------------------------------------------------------------
def cmd_dispatch_run(args):
    """Deliveries per second from the start of the dispatchers until the
    last one was recorded, at the receiver from its first to its last
    arrival, and the CPU seconds of the three parties."""
    with open(args.receiver_log) as f:
        arrivals = [float(l.split()[0]) for l in f if l.strip()]
    span = arrivals[-1] - arrivals[0] if arrivals else 0
    print("%d %d %.1f %.1f %.1f" % (args.events / (args.t1 - args.t0), args.events / span if span > 0 else 0,
                                    args.dispatch / CLK_TCK, args.pg / CLK_TCK, args.receiver / CLK_TCK))


def cmd_median_run(args):
    """The first run whose rate is the median (the lower one of an even
    count): its number from 1, and the line."""
    with open(args.file) as f:
        runs = [l.rstrip("\n") for l in f if l.strip()]
    rates = sorted(int(r.split()[0]) for r in runs)
    median = rates[(len(rates) + 1) // 2 - 1]
    number = next(i for i, r in enumerate(runs, 1) if int(r.split()[0]) == median)
    print(number, runs[number - 1])


def cmd_statement_rows(args):
    """psql -A rows "statement|calls|total ms|us per delivery" as Markdown."""
    with open(args.file) as f:
        for line in f:
            print("| %s | %s | %s ms | %s µs |" % tuple((line.rstrip("\n").split("|") + [""] * 4)[:4]))


def cmd_verdict(args):
    value, limit = awk_value(args.value), awk_value(args.limit)
    print("met" if (value < limit if args.op == "<" else value >= limit) else "**not met**")


def cmd_section(args):
    """Puts the text on standard input, a section headed HEADING, into
    OUTPUT: in place of the section of that heading (up to the next "## "
    heading), else at the end; the rest of the file stays as it is."""
    section = sys.stdin.read().rstrip("\n") + "\n"
    try:
        with open(args.output) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    pattern = re.compile(r"^%s\n.*?(?=^## |\Z)" % re.escape(args.heading), re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        f.write(text.rstrip("\n") + "\n")


# --- the report -------------------------------------------------------------
# The data are text, as the tools wrote them: a figure is a string of digits
# and dots, anything else ("FAILED", "-", empty) is shown as it is and
# computes to "-".
FIGURE = re.compile(r"[0-9.]+")
AWK_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def is_figure(s):
    return s is not None and FIGURE.fullmatch(s) is not None


def awk_value(s):
    """The number a string begins with, 0 if none: "1.2.3" is 1.2."""
    m = AWK_NUMBER.match(s or "")
    return float(m.group(0)) if m else 0.0


def positive(s):
    return AWK_NUMBER.fullmatch(s or "") is not None and float(s) > 0


def short(x):
    """A computed number as awk prints it: whole, or 6 significant digits."""
    return "%d" % x if x == int(x) else "%.6g" % x


def num(x):
    """Rounded, with thousands separators."""
    return "{:,.0f}".format(awk_value(x)) if is_figure(x) else x


def ms(us):
    return "%.2f ms" % (int(us) / 1000) if re.fullmatch(r"[0-9]+", us or "") else us


def per_request(pct, rate):
    """Microseconds of CPU per request, from % of one core and req/s."""
    return "%.0f" % (awk_value(pct) * 10000 / float(rate)) if is_figure(pct) and positive(rate) else "-"


def combined(h, d):
    return "%.0f" % (1 / (1 / float(h) + 1 / float(d))) if positive(h) and positive(d) else "-"


def bold(x):
    """A figure in bold, anything else ("-") as it is."""
    return "**%s**" % x if is_figure(x) else x


def ratio(a, b):
    return "%.2f" % (awk_value(a) / float(b)) if is_figure(a) and positive(b) else "-"


def at_most(x, y):
    return is_figure(x) and is_figure(y) and awk_value(x) <= awk_value(y)


def at_least(x, y):
    return is_figure(x) and is_figure(y) and awk_value(x) >= awk_value(y)


def nonempty(path):
    return os.path.isfile(path) and os.path.getsize(path) > 0


def read_tsv(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n").split("\t") for line in f]
    except FileNotFoundError:
        return []


def read_env(path):
    """NAME=VALUE lines as bash's printf %q writes them; NAME=(A B) is a list."""
    env = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return env
    for line in lines:
        name, _, value = line.partition("=")
        if value.startswith("(") and value.endswith(")"):
            env[name] = shlex.split(value[1:-1])
        else:
            words = shlex.split(value)
            if len(words) > 1:
                die("%s: cannot read %s" % (path, line))
            env[name] = words[0] if words else ""
    return env


def pg_bindir():
    """As scripts/lib.sh's pg_bindir: the newest PostgreSQL's."""
    dirs = glob.glob("/usr/lib/postgresql/*/bin")
    if not dirs:
        die("PostgreSQL server binaries not found (Debian package postgresql)")
    return max(dirs, key=lambda d: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", d)])


def output_of(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True).stdout
    except OSError:
        return ""


def first_line(text):
    return text.split("\n", 1)[0]


def machine():
    with open("/proc/cpuinfo") as f:
        cpu_model = first_match(r"^model name\s*: (.*)$", f.read()) or ""
    with open("/proc/meminfo") as f:
        mem_kib = int(first_match(r"^MemTotal:\s*(\d+)", f.read()))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    nginx_v = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    wrk_v = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    fcgi = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libfcgi-dev"], capture_output=True, text=True)
    return {
        "cpu_model": cpu_model,
        "mem": "%.1f GiB" % (mem_kib / 1048576),
        "kernel": os.uname().release,
        "pg": re.sub(r".*\) ", "", first_line(output_of(os.path.join(pg_bindir(), "postgres"), "--version"))),
        "nginx": re.sub(r".*nginx/", "", first_line(nginx_v.stdout + nginx_v.stderr)),
        "wrk": (first_line(wrk_v.stdout + wrk_v.stderr).split() + ["", ""])[1],
        "fcgi": fcgi.stdout if fcgi.returncode == 0 else "unknown",
    }


# Sections the other benchmarks write into the report (bench/dispatch.sh,
# graphql.sh, lists.sh; measure.py section) and that a new one keeps at its
# end: from this heading on.
KEPT_HEADING = re.compile(r"^## Webhook delivery", re.M)


class Report:
    """The report of one data folder: self.out collects its text."""

    def __init__(self, data):
        self.data = data
        meta = read_env(os.path.join(data, "meta.env"))
        # Older data folders lack these.
        meta.setdefault("head", "0")
        meta.setdefault("XDUR", meta["DUR"])
        for name, default in (("LIST_P99_TARGET_MS", "10"), ("HOP_MAX_RATIO", "1.5"),
                              ("CASCADE_MAX_RATIO", "1.5"), ("CONTEXTS_MIN_RATIO", "0.8")):
            meta.setdefault(name, default)
        meta.update(read_env(os.path.join(data, "extras.env")))
        self.v = meta
        self.conc = meta["CONCURRENCIES"]
        self.workers = meta["WORKERS"]
        self.results = read_tsv(os.path.join(data, "results.tsv"))
        self.cpu_rows = read_tsv(os.path.join(data, "cpu.tsv"))
        self.probes = read_tsv(os.path.join(data, "probes.tsv"))
        self.out = []

    def var(self, name, default=""):
        """A value of meta.env or extras.env, default when unset or empty."""
        return self.v.get(name) or default

    def write(self, text=""):
        self.out.append(text + "\n")

    def note(self, name):
        """bench/notes/NAME.md, after a blank line, when there is one."""
        path = os.path.join(BENCH_DIR, "notes", name + ".md")
        if os.path.isfile(path):
            self.write()
            with open(path) as f:
                self.out.append(f.read())

    # The measurements.
    @staticmethod
    def field(rows, key, c, n):
        """Field n (from 1) of the first row of KEY at C, "" if none."""
        for r in rows:
            if r[0] == key and len(r) > 1 and r[1] == str(c):
                return r[n - 1] if len(r) >= n else ""
        return ""

    def res(self, key, c, n):
        """n: 3 = rps or tps, 4 = p50 (pgbench: average), 5 = p90, 6 = p99,
        7 = errors, 8 = requests answered (wrk) or transactions (pgbench)."""
        return self.field(self.results, key, c, n)

    def probe(self, key, c, n):
        """n: 3 = success statuses written, 4 = inactive ones (cascades); for
        the creates 3 = deployments inserted, 4 = environments they opened."""
        return self.field(self.probes, key, c, n)

    def cpu(self, key, c, group):
        """% of one core of a group during the run KEY at C."""
        for r in self.cpu_rows:
            if r[0] == "%s c%s" % (key, c):
                return "".join(kv.split("=")[1] for kv in r[1:] if kv.split("=")[0] == group)
        return ""

    def has_probes(self, name):
        return any(r[0].startswith(name + "/") for r in self.probes)

    # The reference's D (bench/run.sh reference_measure).
    def reference_clients(self):
        return self.v.get("REFERENCE_CLIENTS") or ["8", "16"]

    def d_ref(self, reference):
        """(tps, clients) of the better run of a reference script, ("", "")
        when it was not measured."""
        runs = [(self.res("reference/" + reference[:-len(".sql")], c, 3), c) for c in self.reference_clients()]
        runs = [r for r in runs if positive(r[0])]
        return max(runs, key=lambda r: float(r[0])) if runs else ("", "")

    def endpoint_ratio_ref(self, name, c, reference):
        """Endpoint req/s against 1/(1/H + 1/D_ref), "-" without a reference."""
        if reference == "-":
            return "-"
        return ratio(self.res(name + "/endpoint", c, 3), combined(self.res(name + "/libfcgi", c, 3),
                                                                  self.d_ref(reference)[0]))

    def endpoint_ref_verdict(self, name, target, reference):
        """Against the target, with D_ref, at every C; an endpoint without a
        reference script is judged on its own SQL's D (endpoint_verdict)."""
        if reference == "-":
            return "no reference script: " + self.endpoint_verdict(name, target)
        ratios = [(self.endpoint_ratio_ref(name, c, reference), c) for c in self.conc]
        figures = ", ".join("%s at C=%s" % rc for rc in ratios)
        misses = ["C=" + c for r, c in ratios if not at_least(r, target)]
        if not misses:
            return "meets the target (ratio to the reference's ceiling ≥ %s: %s)" % (target, figures)
        return "**misses the target** (ratio to the reference's ceiling ≥ %s) at %s (%s)" % (
            target, ", ".join(misses), figures)

    def cpu_per_request(self, name, c):
        """µs of CPU per request of deploy-api, deploy-dispatch, PostgreSQL
        and nginx during the endpoint run at C, "a / b / c / d"."""
        e = self.res(name + "/endpoint", c, 3)
        return " / ".join(per_request(self.cpu(name + "/endpoint", c, g), e) for g in ("api", "dispatch", "pg", "nginx"))

    # The endpoints.
    def endpoint_ratio(self, name, c, d_clients=None):
        """Endpoint req/s against 1/(1/H + 1/D); with d_clients, D measured
        at that many clients (for writes, at WORKERS), "" when it was not."""
        d = self.res(name + "/pgbench", d_clients or c, 3)
        if d_clients and not d:
            return ""
        return ratio(self.res(name + "/endpoint", c, 3), combined(self.res(name + "/libfcgi", c, 3), d))

    def endpoint_verdict(self, name, target):
        """Against the target at every C (and, for writes, with D at WORKERS
        clients too: both must reach it)."""
        w = self.workers
        misses, ratios, ratios_w = [], [], []
        for c in self.conc:
            r = self.endpoint_ratio(name, c)
            ratios.append("%s at C=%s" % (r, c))
            if not at_least(r, target):
                misses.append("C=" + c)
            rw = self.endpoint_ratio(name, c, w)
            if rw:
                ratios_w.append("%s at C=%s" % (rw, c))
                if not at_least(rw, target):
                    misses.append("C=%s with D at %s clients" % (c, w))
        figures = ", ".join(ratios)
        if ratios_w:
            figures += "; with D at %s clients: %s" % (w, ", ".join(ratios_w))
        if not misses:
            return "meets the target (ratio ≥ %s: %s)" % (target, figures)
        return "**misses the target** (ratio ≥ %s) at %s (%s)" % (target, ", ".join(misses), figures)

    # The extras.
    def list_verdict(self):
        target = self.var("LIST_P99_TARGET_MS")
        under = str(int(target) * 1000 - 1)
        p99, achieved = self.res("list_latency/paced", 16, 6), self.res("list_latency/paced", 16, 3)
        if not p99:
            return "not measured"
        if at_least(achieved, short(awk_value(self.var("list_rate")) * 0.9)):
            figures = "at %s req/s, half the peak of %s" % (num(achieved), num(self.var("list_peak")))
            if at_most(p99, under):
                return "meets the target (p99 %s < %s ms %s)" % (ms(p99), target, figures)
            return "**misses the target** (p99 %s %s; target < %s ms)" % (ms(p99), figures, target)
        p99, achieved = self.res("list_latency/closed", 4, 6), self.res("list_latency/closed", 4, 3)
        return ("paced run fell short of the rate; closed loop at 4 connections: p99 %s at %s req/s (%s %s ms)"
                % (ms(p99), num(achieved), "under" if at_most(p99, under) else "**over**", target))

    def hop_ratio(self):
        return ratio(self.res("deep_hop/hop1000", 1, 4), self.res("deep_hop/hop2", 1, 4))

    def hop_verdict(self):
        r, limit = self.hop_ratio(), self.var("HOP_MAX_RATIO")
        if r == "-":
            return "not measured"
        verdict = "meets the target" if at_most(r, limit) else "**misses the target**"
        return "%s (hop to page 1,000 at %s× the hop to page 2 at p50; ≤ %s×)" % (verdict, r, limit)

    def cascade_ratio(self, run):
        return ratio(self.res("cascade_cost/%s100000" % run, 1, 4), self.res("cascade_cost/%s10" % run, 1, 4))

    def cascade_verdict(self):
        r, d, limit = self.cascade_ratio("endpoint"), self.cascade_ratio("pgbench"), self.var("CASCADE_MAX_RATIO")
        if r == "-":
            return "not measured"
        verdict = "meets the target" if at_most(r, limit) and at_most(d, limit) else "**misses the target**"
        return ("%s (100,000 prior deployments against 10: %s× at p50 through the endpoint, "
                "%s× in pgbench's average; ≤ %s×)" % (verdict, r, d, limit))

    def contexts_mean(self, variant, c, n):
        """The mean over the two runs of a variant (unchecked, checked) of
        contexts_check, n as for res."""
        a, b = (self.res("contexts_check/%s%d" % (variant, i), c, n) for i in (1, 2))
        return "%.1f" % ((awk_value(a) + awk_value(b)) / 2) if is_figure(a) and is_figure(b) else "-"

    def contexts_ratio(self, c):
        return ratio(self.contexts_mean("checked", c, 3), self.contexts_mean("unchecked", c, 3))

    def contexts_verdict(self):
        limit = self.var("CONTEXTS_MIN_RATIO")
        if self.contexts_ratio(self.conc[0]) == "-":
            return "not measured"
        misses, figures = [], []
        for c in self.conc:
            r = self.contexts_ratio(c)
            figures.append("%s× at C=%s" % (r, c))
            if not at_least(r, limit):
                misses.append("C=" + c)
        what = ("create with required_contexts omitted, %s success contexts, against required_contexts: []: %s; ≥ %s×"
                % (self.var("contexts_n", "5"), ", ".join(figures), limit))
        if not misses:
            return "meets the target (%s)" % what
        return "**misses the target** at %s (%s)" % (", ".join(misses), what)

    def errors_of(self, key1, key2, c):
        return short(awk_value(self.res(key1, c, 7)) + awk_value(self.res(key2, c, 7)))

    def other(self, key, c):
        return self.cpu(key, c, "other")

    # The text.
    def render(self, kept):
        v, conc, w = self.var, self.conc, self.workers
        m = machine()
        cores = str(NCPU)
        quick, head = v("quick") == "1", v("head") == "1"
        self.write("# Performance")
        self.write()
        self.write("Generated by `bench/run.sh%s%s` on %s, commit %s%s%s;" % (
            " --quick" if quick else "", " --head" if head else "", v("run_date"), v("commit"),
            " (with uncommitted changes in src/ or sql/)" if v("dirty") == "yes" else "",
            " (built from the committed tree: `bench/run.sh --head`, working-tree changes left out)" if head else ""))
        self.write("the whole run took %s s. Re-run it to regenerate this file (it is overwritten, except the" % v("elapsed"))
        self.write('sections from "Webhook delivery" on: bench/dispatch.sh, bench/graphql.sh and bench/lists.sh write them).%s' % (
            "\n\n**Quick run: %s s per measurement, for debugging the harness only.**" % v("DUR") if quick else ""))
        self.write()
        self.write("## Summary")
        self.write()
        self.write("Ratio = endpoint req/s / combined ceiling 1/(1/H + 1/D), measured in this run (method below):")
        self.write("**ref** with D from the reference statements (`../shared/perf-reference`, what the targets are")
        self.write("on), **own** with D from the product's own SQL (`bench/sql`, a diagnosis: the gap is what its SQL")
        self.write("costs over the least it could run). CPU per request: µs of CPU per request of deploy-api (master and")
        self.write("workers), deploy-dispatch, PostgreSQL and nginx during the endpoint run at C=%s." % conc[0])
        self.write()
        self.write("| Endpoint | target | %s%sCPU µs/request api / dispatch / pg / nginx | verdict |" % (
            "".join("ref C=%s | " % c for c in conc), "".join("own C=%s | " % c for c in conc)))
        self.write("|---|---|%s---|---|" % ("---|" * 2 * len(conc)))
        endpoints = [e + ["-"] * (11 - len(e)) for e in read_tsv(os.path.join(self.data, "endpoints.tsv"))]
        self.write("\n".join("| [%s](#%s) | ≥ %s | %s%s%s | %s |" % (
            e[0], e[0], e[5], "".join(bold(self.endpoint_ratio_ref(e[0], c, e[10])) + " | " for c in conc),
            "".join(self.endpoint_ratio(e[0], c) + " | " for c in conc), self.cpu_per_request(e[0], conc[0]),
            self.endpoint_ref_verdict(e[0], e[5], e[10])) for e in endpoints))
        extras = []
        if v("list_rate"):
            extras.append("| [list_latency](#list_latency): list p99 at half the peak rate | < %s ms | %s |"
                          % (v("LIST_P99_TARGET_MS"), self.list_verdict()))
        if v("hop2_url"):
            extras.append("| [deep_hop](#deep_hop): next-link hop to page 1,000 vs page 2 | ≤ %s× | %s |"
                          % (v("HOP_MAX_RATIO"), self.hop_verdict()))
        if v("cascade10_a"):
            extras.append("| [cascade_cost](#cascade_cost): success status, 100,000 vs 10 prior deployments"
                          " | ≤ %s× | %s |" % (v("CASCADE_MAX_RATIO"), self.cascade_verdict()))
        if v("contexts_n"):
            extras.append("| [contexts_check](#contexts_check): create, required_contexts omitted (%s success"
                          " contexts) vs required_contexts: [] | ≥ %s× | %s |"
                          % (v("contexts_n"), v("CONTEXTS_MIN_RATIO"), self.contexts_verdict()))
        self.write("\n| Measurement | target | verdict |\n|---|---|---|\n" + "\n".join(extras) if extras else "")
        self.write(MACHINE_AND_METHOD.format(
            cores=cores, all_cores=NCPU * 100, m=m, loadavg_before=v("loadavg_before"),
            loadavg_after=v("loadavg_after"), workers=w, conc_list=", ".join(conc), dur=v("DUR"),
            ceiling_children=v("CEILING_CHILDREN", w), list_repo=v("list_repo", "bench-list"),
            status_repo=v("status_repo", "bench-status"), deep_repo=v("deep_repo", "bench-deep"),
            create_repo=v("create_repo", "bench-create"), contexts_n=v("contexts_n", "5")))
        self.reference_section(endpoints)
        for e in endpoints:
            self.endpoint_section(*e[:11])
        if v("list_rate"):
            self.list_latency_section()
        if v("hop2_url"):
            self.deep_hop_section()
        if v("cascade10_a"):
            self.cascade_section()
        if v("contexts_n"):
            self.contexts_section()
        if kept:
            self.write()
            self.write(kept)
        return "".join(self.out)

    def reference_section(self, endpoints):
        """D_ref: each reference script's runs, the better one in bold."""
        scripts = []
        for e in endpoints:
            if e[10] != "-" and e[10] not in scripts:
                scripts.append(e[10])
        if not scripts:
            return
        v = self.var
        self.write(REFERENCE.format(
            dir=v("REFERENCE_DIR", "../shared/perf-reference"), clients=" and ".join(self.reference_clients()),
            dur=v("DUR"), did=v("reference_did", "-"), pair=v("reference_pair", "-").replace(" ", " and ")))
        self.write()
        self.write("| script | endpoints | clients | tps | average latency | failed | postgres (% of a core) | "
                   "postgres µs per transaction | other |")
        self.write("|---|---|---|---|---|---|---|---|---|")
        for script in scripts:
            key = "reference/" + script[:-len(".sql")]
            best = self.d_ref(script)[1]
            users = ", ".join("[%s](#%s)" % (e[0], e[0]) for e in endpoints if e[10] == script)
            for c in self.reference_clients():
                tps = self.res(key, c, 3)
                self.write("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    script, users, c, ("**%s**" if c == best else "%s") % num(tps), ms(self.res(key, c, 4)),
                    self.res(key, c, 7), self.cpu(key, c, "ref"), per_request(self.cpu(key, c, "ref"), tps),
                    self.cpu(key, c, "other")))

    def endpoint_section(self, name, method, path, lua, sql, target, title, body_bytes, header_bytes, sql_match,
                         reference="-"):
        res, cpu, conc, w = self.res, self.cpu, self.conc, self.workers
        d_ref, d_ref_clients = self.d_ref(reference) if reference != "-" else ("", "")
        self.write()
        self.write('<a id="%s"></a>' % name)
        self.write()
        self.write("## " + title)
        self.write()
        self.write("**Verdict (%s):** %s." % (name, self.endpoint_ref_verdict(name, target, reference)))
        self.write()
        self.write("`%s %s`, answered with %s bytes of JSON and %s bytes of headers;" % (method, path, body_bytes, header_bytes))
        self.write("wrk script `bench/%s`, own SQL `bench/%s`%s; reference %s. Target: ratio to the reference's "
                   "combined ceiling ≥ %s." % (
                       lua, sql, " (checked: the same text as the statement the workers ran)" if sql_match == "yes"
                       else " (**not** found among the statements the workers ran: check it against src/)",
                       "`%s` (D_ref %s tps, the better of %s clients)" % (
                           reference, num(d_ref) if d_ref else "not measured", " and ".join(self.reference_clients()))
                       if reference != "-" else "none (the target is on the ratio to the own SQL's ceiling)", target))
        self.write()
        self.write("| C | endpoint req/s | p50 | p90 | p99 | static nginx req/s | libfcgi req/s (H) | D_ref tps | "
                   "combined (ref) | ratio (ref) | own SQL tps (D_own) | combined (own) | ratio (own) |")
        self.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        ceilings = {}
        for c in conc:
            e, h, d = (res("%s/%s" % (name, k), c, 3) for k in ("endpoint", "libfcgi", "pgbench"))
            comb, comb_ref = combined(h, d), combined(h, d_ref)
            ceilings[c] = (e, h, d, comb)
            self.write("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                c, num(e), ms(res(name + "/endpoint", c, 4)), ms(res(name + "/endpoint", c, 5)),
                ms(res(name + "/endpoint", c, 6)), num(res(name + "/static", c, 3)), num(h),
                num(d_ref) if d_ref else "-", num(comb_ref), bold(ratio(e, comb_ref)), num(d), num(comb), ratio(e, comb)))
        self.write()
        self.write("Ceiling latencies and errors:")
        self.write()
        self.write("| C | static p50 / p99 | libfcgi p50 / p99 | pgbench average latency | errors or non-2xx (endpoint / static / libfcgi / pgbench failed) |")
        self.write("|---|---|---|---|---|")
        for c in conc:
            self.write("| %s | %s / %s | %s / %s | %s | %s |" % (
                c, ms(res(name + "/static", c, 4)), ms(res(name + "/static", c, 6)),
                ms(res(name + "/libfcgi", c, 4)), ms(res(name + "/libfcgi", c, 6)), ms(res(name + "/pgbench", c, 4)),
                " / ".join(res("%s/%s" % (name, k), c, 7) for k in ("endpoint", "static", "libfcgi", "pgbench"))))
        self.write()
        self.write("CPU during each measurement (% of one core):")
        self.write()
        self.write("| run | machine busy | deploy-api | postgres | nginx (stack) | nginx (ceiling) | fcgi_static | deploy-dispatch | wrk or pgbench | other |")
        self.write("|---|---|---|---|---|---|---|---|---|---|")
        for c in conc:
            for k in ("endpoint", "static", "libfcgi", "pgbench"):
                self.write("| %s c%s | %s |" % (k, c, " | ".join(
                    cpu("%s/%s" % (name, k), c, g) for g in ("busy",) + CPU_GROUPS[:-1] + ("load", "other"))))
        self.write()
        self.write("CPU per request (µs, from the table above; machine = all busy time / req/s; the reference's "
                   "PostgreSQL per transaction is from its better run, %s clients):" % (d_ref_clients or "-"))
        self.write()
        self.write("| C | endpoint: deploy-api | endpoint: deploy-dispatch | endpoint: postgres | endpoint: nginx | endpoint: machine | libfcgi: fcgi_static | libfcgi: nginx | libfcgi: machine | own SQL: postgres per transaction | reference: postgres per transaction |")
        self.write("|---|---|---|---|---|---|---|---|---|---|---|")
        for c in conc:
            e, h, d, _ = ceilings[c]
            self.write("| %s | %s |" % (c, " | ".join(
                [per_request(cpu(name + "/endpoint", c, g), e) for g in ("api", "dispatch", "pg", "nginx", "busy")]
                + [per_request(cpu(name + "/libfcgi", c, g), h) for g in ("fcgi", "cnginx", "busy")]
                + [per_request(cpu(name + "/pgbench", c, "pg"), d)]
                + [per_request(cpu("reference/" + reference[:-len(".sql")], d_ref_clients, "ref"), d_ref)
                   if d_ref else "-"])))
        self.write()
        self.write("### Interpretation")
        self.write()
        for c in conc:
            e, h, d, comb = ceilings[c]
            comb_ref = combined(h, d_ref)
            r = ratio(e, comb_ref) if reference != "-" else ratio(e, comb)
            if not is_figure(r):
                verdict = "could not be computed"
            elif awk_value(r) >= awk_value(target):
                verdict = "meets the target of " + target
            else:
                verdict = "is **below** the target of " + target
            during = lambda g: cpu(name + "/endpoint", c, g)
            if reference != "-":
                against = ("a combined ceiling of %s with the reference's D (H %s, D_ref %s): ratio %s, which %s; "
                           "against the own SQL's (D_own %s) %s, ratio %s" % (
                               num(comb_ref), num(h), num(d_ref), r, verdict, num(d), num(comb), ratio(e, comb)))
            else:
                against = "a combined ceiling of %s (H %s, D_own %s): ratio %s, which %s" % (
                    num(comb), num(h), num(d), r, verdict)
            self.write(
                "- C=%s: %s req/s against %s. During the "
                "endpoint run deploy-api used %s%% of a core, deploy-dispatch %s%%, PostgreSQL %s%%, nginx %s%%, "
                "wrk %s%% and other processes %s%%, of %s%%: %s µs of deploy-api CPU per request, against %s µs for "
                "fcgi_static, and %s µs of PostgreSQL CPU per request, against %s µs per own-SQL transaction%s." % (
                    c, num(e), against, during("api"), during("dispatch"), during("pg"), during("nginx"),
                    during("load"), during("other"), NCPU * 100, per_request(during("api"), e),
                    per_request(cpu(name + "/libfcgi", c, "fcgi"), h), per_request(during("pg"), e),
                    per_request(cpu(name + "/pgbench", c, "pg"), d),
                    " and %s µs per reference transaction" % per_request(
                        cpu("reference/" + reference[:-len(".sql")], d_ref_clients, "ref"), d_ref) if d_ref else ""))
        d_w = res(name + "/pgbench", w, 3)
        if d_w:
            self.write(
                "- A write: pgbench also ran at {w} clients, the number of connections the {w} workers hold, since "
                "pgbench's C clients can queue on the write's locks (a status's environment lock) and commits in a "
                "way the workers' {w} connections never do: {tps} tps, average latency {lat}, {failed} failed; "
                "postgres {pg}% of a core, other {other}%. Ratios against 1/(1/H + 1/D{w}): {ratios}.".format(
                    w=w, tps=num(d_w), lat=ms(res(name + "/pgbench", w, 4)), failed=res(name + "/pgbench", w, 7),
                    pg=cpu(name + "/pgbench", w, "pg"), other=cpu(name + "/pgbench", w, "other"),
                    ratios="; ".join("%s at C=%s" % (self.endpoint_ratio(name, c, w), c) for c in conc)))
        self.probe_lines(name)
        disturbed = []
        for r in self.cpu_rows:
            if r[0].startswith(name + "/"):
                for kv in r[1:]:
                    k, _, pct = kv.partition("=")
                    if k == "other" and awk_value(pct) >= 15:
                        disturbed.append("%s (%s%%)" % (r[0][len(name) + 1:], pct))
        if disturbed:
            self.write("- **Disturbed:** processes outside the benchmark kept the machine busy during %s of a core "
                       '("other" above); those figures are low by about that share.' % ", ".join(disturbed))
        else:
            self.write('- Nothing else used more than 15% of a core during any measurement ("other" above).')
        self.profile(name)
        self.note(name)

    def probe_lines(self, name):
        """The rows the writes inserted, or the cascades they caused."""
        res, probe, conc, w = self.res, self.probe, self.conc, self.workers
        if not self.has_probes(name):
            return
        counts = lambda key, c: (num(probe(key, c, 3)), num(probe(key, c, 4)))
        if name.startswith("create_"):
            for c in conc:
                self.write(
                    "- Rows at C=%s: the endpoint run inserted %s deployments in %s new environments, for %s responses "
                    "counted by wrk (requests still in flight when wrk stops are not counted); pgbench %s and %s for "
                    "%s transactions." % ((c,) + counts(name + "/endpoint", c) + (num(res(name + "/endpoint", c, 8)),)
                                          + counts(name + "/pgbench", c) + (num(res(name + "/pgbench", c, 8)),)))
            if probe(name + "/pgbench", w, 3):
                self.write("- Rows, pgbench at %s clients: %s deployments in %s new environments for %s transactions."
                           % ((w,) + counts(name + "/pgbench", w) + (num(res(name + "/pgbench", w, 8)),)))
        else:
            for c in conc:
                self.write(
                    "- Cascades at C=%s: the endpoint run wrote %s success and %s inactive statuses, pgbench %s and "
                    "%s (one inactive per success is a cascade of one on every request)."
                    % ((c,) + counts(name + "/endpoint", c) + counts(name + "/pgbench", c)))
            if probe(name + "/pgbench", w, 3):
                self.write("- Cascades, pgbench at %s clients: %s success and %s inactive statuses."
                           % ((w,) + counts(name + "/pgbench", w)))

    def profile(self, name):
        """The tables of bench/run.sh --profile (perf report's flat lines)."""
        out = os.path.join(self.data, "out", name + "-perf")

        def lines(path, n):
            with open(path) as f:
                return [l.split() for l in f.read().split("\n")[:n] if l.strip()]

        if not nonempty(out + "-comm.txt"):
            return
        self.write()
        self.write("#### Profile (perf, generated)")
        self.write()
        try:
            with open(out + ".how") as f:
                how = f.read().rstrip("\n")
        except FileNotFoundError:
            try:
                with open(out + ".seconds") as f:
                    seconds = f.read().rstrip("\n")
            except FileNotFoundError:
                seconds = ""
            how = "perf record for %s s while wrk drove the endpoint at C=16" % seconds
        self.write(how + ": self time of each function (no call graphs). The processes, % of the samples:")
        self.write()
        self.write("| % of samples | process |")
        self.write("|---|---|")
        for f in lines(out + "-comm.txt", 8):
            self.write("| %s | %s |" % (f[0], " ".join(f[1:])))
        for group, process in (("api", "deploy-api"), ("pg", "postgres")):
            path = "%s-%s.txt" % (out, group)
            if not nonempty(path):
                continue
            self.write()
            self.write("Top functions of %s (%% of its own samples):" % process)
            self.write()
            self.write("| % | object | function |")
            self.write("|---|---|---|")
            for f in lines(path, 15):
                self.write("| %s | %s | `%s` |" % (f[0], f[1] if len(f) > 1 else "", " ".join(f[3:])))

    def list_latency_section(self):
        v, res = self.var, self.res
        row = lambda key, c: tuple([num(res(key, c, 3))] + [ms(res(key, c, n)) for n in (4, 5, 6)]
                                   + [res(key, c, 7), self.other(key, c)])
        self.write(LIST_LATENCY.format(
            target=v("LIST_P99_TARGET_MS"), peak=num(v("list_peak")), rate=num(v("list_rate")),
            duration=v("list_duration", v("DUR")),
            paced="| paced | 16 | %s | %s | %s | %s | %s | %s | %s%% |" % ((num(v("list_rate")),) + row("list_latency/paced", 16)),
            closed="| closed loop | 4 | – | %s | %s | %s | %s | %s | %s%% |" % row("list_latency/closed", 4),
            verdict=self.list_verdict()))
        self.note("list_latency")

    def deep_hop_section(self):
        v, res = self.var, self.res

        def row(label, k):
            key, url = "deep_hop/" + k, v(k + "_url")
            return "| %s | `%s` | %s | %s | %s | %s | %s | %s ms | %s%% |" % (
                label, url.split("?", 1)[1] if "?" in url else url, num(res(key, 1, 3)), ms(res(key, 1, 4)),
                ms(res(key, 1, 5)), ms(res(key, 1, 6)), res(key, 1, 7), v(k + "_db_ms", "–"), self.other(key, 1))

        self.write(DEEP_HOP.format(
            limit=v("HOP_MAX_RATIO"), deep_repo=v("deep_repo"), duration=v("hop_duration", v("XDUR")),
            rows="\n".join((row("to page 2 (next link)", "hop2"), row("to page 1,000 (next link)", "hop1000"),
                            row("page 1,000 by number", "offset1000"))),
            verdict=self.hop_verdict()))
        self.note("deep_hop")

    def cascade_section(self):
        v, res, probe = self.var, self.res, self.probe
        rows = []
        for e in ("10", "100000"):
            ep, pg = "cascade_cost/endpoint" + e, "cascade_cost/pgbench" + e
            rows.append("| `%s` (%s deployments) | %s | %s | %s | %s | %s / %s | %s | %s | %s / %s |" % (
                e, num(e), num(res(ep, 1, 3)), ms(res(ep, 1, 4)), ms(res(ep, 1, 5)), ms(res(ep, 1, 6)),
                num(probe(ep, 1, 3)), num(probe(ep, 1, 4)), num(res(pg, 1, 3)), ms(res(pg, 1, 4)),
                num(probe(pg, 1, 3)), num(probe(pg, 1, 4))))
        self.write(CASCADE_COST.format(
            limit=v("CASCADE_MAX_RATIO"), status_repo=v("status_repo"), a10=v("cascade10_a"),
            a100000=v("cascade100000_a", "?"), xdur=v("XDUR"), rows="\n".join(rows),
            p50=self.cascade_ratio("endpoint"),
            mean=ratio(res("cascade_cost/endpoint10", 1, 3), res("cascade_cost/endpoint100000", 1, 3)),
            pgbench=self.cascade_ratio("pgbench"), verdict=self.cascade_verdict()))
        self.note("cascade_cost")

    def contexts_section(self):
        v, res, conc, w = self.var, self.res, self.conc, self.workers
        n = v("contexts_n")
        rows = []
        for c in conc:
            runs = {k: "contexts_check/" + k for k in ("unchecked1", "unchecked2", "checked1", "checked2")}
            rows.append("| %s | %s (%s, %s) | %s (%s, %s) | **%s** | %s / %s | %s / %s | %s / %s | %s%%, %s%%, %s%%, %s%% |" % (
                c, num(self.contexts_mean("unchecked", c, 3)), num(res(runs["unchecked1"], c, 3)),
                num(res(runs["unchecked2"], c, 3)), num(self.contexts_mean("checked", c, 3)),
                num(res(runs["checked1"], c, 3)), num(res(runs["checked2"], c, 3)), self.contexts_ratio(c),
                ms(res(runs["unchecked1"], c, 4)), ms(res(runs["checked1"], c, 4)),
                ms(res(runs["unchecked1"], c, 6)), ms(res(runs["checked1"], c, 6)),
                self.errors_of(runs["unchecked1"], runs["unchecked2"], c),
                self.errors_of(runs["checked1"], runs["checked2"], c),
                self.other(runs["unchecked1"], c), self.other(runs["checked1"], c),
                self.other(runs["unchecked2"], c), self.other(runs["checked2"], c)))
        # What each variant inserted, and how many responses wrk counted.
        inserted, responses = {}, {}
        for r in self.probes:
            if r[0].startswith("contexts_check/"):
                variant = r[0][len("contexts_check/"):].rstrip("0123456789")
                d, o = inserted.get(variant, (0, 0))
                inserted[variant] = (d + awk_value(r[2]), o + awk_value(r[3]))
        for r in self.results:
            for variant in ("checked", "unchecked"):
                if r[0].startswith("contexts_check/" + variant):
                    responses[variant] = responses.get(variant, 0) + awk_value(r[7] if len(r) > 7 else "")
        rows_text = ""
        if "checked" in inserted:
            (dc, oc), (du, ou) = inserted["checked"], inserted.get("unchecked", (0, 0))
            rows_text = ("\nRows: the checked runs inserted %s deployments in %s new environments for %s responses "
                         "counted by wrk, the unchecked runs %s in %s for %s (a request still in flight when wrk stops is "
                         "inserted but not counted)." % tuple(num("%d" % x) for x in (
                             dc, oc, responses.get("checked", 0), du, ou, responses.get("unchecked", 0))))
        from_sections = ""
        cu, cc = res("create_unchecked/pgbench", w, 3), res("create_deployment/pgbench", w, 3)
        if cu and cc:
            from_sections = (
                "\nFrom the endpoints' sections: pgbench at %s clients ran the checked create at %s tps and the "
                "unchecked one at %s tps (%s×); ratios to the combined ceiling at C=%s / C=%s: checked %s / %s, "
                "unchecked %s / %s." % (
                    w, num(cc), num(cu), ratio(cc, cu), conc[0], conc[1],
                    self.endpoint_ratio("create_deployment", conc[0]), self.endpoint_ratio("create_deployment", conc[1]),
                    self.endpoint_ratio("create_unchecked", conc[0]), self.endpoint_ratio("create_unchecked", conc[1])))
        self.write(CONTEXTS_CHECK.format(
            n=n, names=v("contexts_names"), limit=v("CONTEXTS_MIN_RATIO"), create_repo=v("create_repo", "bench-create"),
            duration=v("contexts_duration", v("XDUR")),
            checked="runs `sql/create_deployment.sql`'s" if v("contexts_sql_checked") == "yes"
            else "was **not** found to run `sql/create_deployment.sql`'s",
            unchecked="`sql/create_unchecked.sql`'s" if v("contexts_sql_unchecked") == "yes"
            else "**not** `sql/create_unchecked.sql`'s",
            rows="\n".join(rows), inserted=rows_text, from_sections=from_sections, verdict=self.contexts_verdict()))
        self.note("contexts_check")


REFERENCE = """
<a id="reference"></a>

## The reference's database ceiling (D_ref)

The targets are fractions of the combined ceiling 1/(1/H + 1/D_ref), D_ref being pgbench running
the reference statements of `{dir}` (the least SQL that does each endpoint's durable work, on a
schema of their own; its README says how to measure them): before the product is measured,
`bench/run.sh` makes a scratch cluster of the machine's PostgreSQL in the data folder (`initdb
--auth=trust` as the `postgres` account, no TCP listener, its own socket folder and port,
`shared_buffers = 512MB`, fsync and `synchronous_commit` on), loads `schema.sql` and `seed.sql`,
runs each script the endpoints name with `pgbench -n -M prepared -T {dur} -j 2 -c C` at C = {clients}
clients over the socket (the product's stack, already started and provisioned, idles meanwhile),
and stops and removes the cluster, so that it never runs beside the product's measurements.
D_ref is the better of the two runs (in bold). `status.sql` posts to deployment {did}
(`perf-status`), `cascade.sql` alternates between {pair} (`perf-cascade`, in id order)."""

MACHINE_AND_METHOD = """
## Machine

| | |
|---|---|
| CPU | {cores} cores, {m[cpu_model]} |
| Memory | {m[mem]} |
| Kernel | {m[kernel]} |
| PostgreSQL | {m[pg]} (private cluster from scripts/lib.sh: `shared_buffers=256MB`, unix socket, fsync on) |
| nginx | {m[nginx]} (`worker_processes 2`, `access_log off`) |
| wrk | {m[wrk]} |
| libfcgi | {m[fcgi]} |
| Load average before / after | {loadavg_before} / {loadavg_after} |

## Method

One run of `bench/run.sh` builds the product and starts its stack as `scripts/run` does
(`bench/stack.sh`: PostgreSQL, deploy-api with its default options but `--base-url`, so
{workers} workers, nginx as configured by `nginx/deploy-api.conf.in`, and the webhook dispatcher
deploy-dispatch, which moves each event out of the outbox as it comes; no hook is registered, as
`scripts/run` registers none) in a temporary folder, with one user and a token with rate limiting
on and a budget (`--rate-limit 1000000000`) no run can spend. It measures the reference's D first
(below), then for each endpoint and each concurrency C in {{{conc_list}}}, back to back: the
**endpoint** through nginx with `wrk -t2 -c C -d{dur}s --latency`; **static**, the same response
body served as a file by an nginx with the same settings, carrying the endpoint's own headers;
**libfcgi** (H), `bench/fcgi_static.c` (a master with `FCGX_OpenSocket` and {ceiling_children}
forked children in an `FCGX_Accept_r` loop writing the endpoint's captured headers and body)
behind that nginx with `fastcgi_keep_conn off`; and **own SQL** (D_own), `pgbench -n -M prepared
-T {dur} -j 2 -c C` running the product's statements for the endpoint (`bench/sql/`) with the same
token hash, owner and repository, on the product's database over the stack's unix socket (writes:
also at {workers} clients, the workers' connection count, see their sections). The **combined
ceiling** is 1/(1/H + 1/D) (PERFORMANCE.md: HTTP and database share the same {cores} cores, so
their costs add up), and the **ratio** is endpoint req/s divided by it: **ratio (ref)** with D_ref,
which the targets are on, and **ratio (own)** with D_own, a diagnosis (the gap between the two is
what the product's SQL costs over the reference's). wrk, pgbench and every server share the
machine; figures are noisy, so read the ratios, which come from the same run. The CPU columns are
each process tree's CPU time during the run from /proc, in % of one core ({cores} cores =
{all_cores}%), "other" being the machine's remaining busy time: anything else running on this
shared machine, and kernel work not charged to a process; **CPU per request** divides a process
tree's CPU seconds by the requests answered (µs per request: deploy-api's master and workers,
deploy-dispatch, the stack's PostgreSQL and its nginx).

**Data**: `bench/stack.sh`'s (`bench/provision.sql`, inserted with `generate_series`, then
`VACUUM ANALYZE`) and one more repository. Every endpoint works on a repository of at least
100,000 deployments: `{list_repo}` (100,000 in three environments) for GET repository, GET
deployment (one in the middle of its history) and the list (`per_page=30`), and the deep hop;
`{status_repo}` (the status pools below, a deployment with 40 statuses for list statuses, and the
environments `10` and `100000` of the cascade-cost measurement: 100,395 deployments); and
`{create_repo}`, given 100,000 deployments older than the others by one INSERT through the
superuser before the first measurement, and {contexts_n} commit statuses ({contexts_n} contexts,
state `success`, posted through the API) on the sha the creates deploy, which keeps growing as
the creates run, as in real use. The writes run first, the reads after them. No repository has a
git directory, so a create (whose ref is a full 40-hex sha) costs no git lookup.

**Own-SQL pgbench scripts** (`bench/sql/`, checked against the statements the workers log, see
`bench/sql/normalize.pl`) hold the statements of one request: the resolve statement with the
route's parameters, then the endpoint's own. Where pgbench cannot send what the worker sends, the
script says so: a parameter the worker binds to NULL is a NULL literal (`NULL/*$n*/`; for
example a status's environment, NULL meaning "keep the deployment's"); an environment name is a
number (`\\set`). Events are the lean outbox rows of `sql/0014` (ids, the deployment's and the
status's values, about 0.6 KB for a status, and the API's base URLs: the dispatcher renders the
7–10 KB webhook body at fan-out), their base URLs read from the outbox after one request to the
endpoint, with the dispatcher held (SIGSTOP) for that request and for the one whose statements
are logged.

**Writes shaped as the reference's**: every create names a new environment (wrk: from the start
time, the thread and a counter, `lua/common.lua`; pgbench: a random number); in-progress statuses
all go to one deployment alone in its environment, so concurrent requests take turns on its
environment lock; success statuses alternate between the two deployments A, B of one environment,
so a request usually deactivates the other one (the success and inactive statuses written are
counted in the endpoint's section). After a write's warm-up the run ANALYZEs the database, as
autovacuum would within its 10 s: the warm-up's creates open thousands of environments, and plans
made while the environments table was a few hundred rows (before autovacuum caught up) cost the
first create run about 5× its PostgreSQL time."""

LIST_LATENCY = """
<a id="list_latency"></a>

## List deployments: p99 latency at half the peak rate

Target: p99 < {target} ms at half the list's peak rate. The peak is the best endpoint rate of
[list_deployments](#list_deployments) above ({peak} req/s), so the rate asked is {rate} req/s.
wrk has no rate option and wrk2 is not packaged for Debian, so this uses two approximations, {duration} s each:
**paced**, `bench/lua/paced.lua` through wrk's `delay()` hook: each of 2 threads sends on a fixed
schedule of half the rate, over 16 connections (wrk rounds delays down to whole milliseconds, and
times each request from its actual send, not its slot: no coordinated-omission correction as in
wrk2, which matters only when all 16 connections are busy; compare the rate achieved with the rate
asked); and **closed loop** at 4 connections (each sends again as soon as answered), whatever rate
that gives.

| run | connections | rate asked | rate achieved | p50 | p90 | p99 | errors | other CPU |
|---|---|---|---|---|---|---|---|---|
{paced}
{closed}

**Verdict (list_latency):** {verdict}."""

DEEP_HOP = """
<a id="deep_hop"></a>

## Deep next-link hop (100,000 deployments)

Target: following `rel="next"` to page 1,000 costs at most {limit}× the hop to page 2. The
repository `{deep_repo}` has 100,000 deployments: with `per_page=100`, 1,000 pages. The hop to page 2 is
the next link of page 1, the hop to page 1,000 the next link of page 999 (both carry
`last_id`, so the store reads `id < last_id` through the index); page 1,000 asked for by number
(OFFSET 99,900) is shown for comparison. The run checks that the next link to page 1,000 answers
the same 100 deployments as `page=1000`. Each URL: wrk, 1 thread, 1 connection, {duration} s after 1 s
of warm-up. "PostgreSQL" is the list statement's execution time from `EXPLAIN ANALYZE` with the
same values (median of 5; it also counts the 100,000 rows for the total and the `last` link).

| hop | query | req/s | p50 | p90 | p99 | errors | PostgreSQL | other CPU |
|---|---|---|---|---|---|---|---|---|
{rows}

**Verdict (deep_hop):** {verdict}."""

CASCADE_COST = """
<a id="cascade_cost"></a>

## Cascade cost against history

Target: a success status costs the same (within {limit}×) in an environment with 100,000 prior
deployments as in one with 10. In `{status_repo}`, environment `10` has 10 deployments and environment
`100000` has 100,000, all `inactive` but the newest; the requests alternate `success` between the
last two of the environment (A = {a10} and {a10}+1, A = {a100000} and {a100000}+1), so each
deactivates the other one: a cascade of one, counted below. Through the endpoint: wrk, 1 thread,
1 connection, {xdur} s after 1 s of warm-up (`lua/status_success.lua`); as SQL:
`sql/status_success.sql`, pgbench at 1 client for {xdur} s.

| environment | endpoint req/s | p50 | p90 | p99 | success / inactive written | pgbench tps | pgbench average latency | success / inactive written |
|---|---|---|---|---|---|---|---|---|
{rows}

Ratios, environment `100000` / environment `10`: endpoint p50 {p50}×, endpoint mean latency
{mean}× (from req/s at one connection), pgbench average {pgbench}×.

**Verdict (cascade_cost):** {verdict}."""

CONTEXTS_CHECK = """
<a id="contexts_check"></a>

## Required contexts: the check's cost on create

Target: a create with `required_contexts` omitted, on a commit with {n} contexts whose latest
status is `success` ({names}), runs at ≥ {limit}× the req/s of the create that
checks nothing (`"required_contexts": []`). Same repository (`{create_repo}`), same sha,
same body otherwise: [create_deployment](#create_deployment) (`deployment_create_check_all`: one
statement reads the latest status of each context on the commit and inserts the deployment and its
event only if none failed) against [create_unchecked](#create_unchecked) (`deployment_create`);
their sections above compare each with its ceiling. Here the two ran back to back at each C,
alternating (unchecked, checked, unchecked, checked; `wrk -t2`, {duration} s each, after a
warm-up), so that both share whatever else the machine was doing; req/s is the mean of a variant's
two runs (each run in brackets), p50 and p99 are those of its first run. Statements: the checked body
{checked}, the unchecked one {unchecked} (checked against the workers' log).

| C | `required_contexts: []` req/s | omitted, {n} contexts req/s | ratio | p50 [] / omitted | p99 [] / omitted | errors [] / omitted | other CPU (the 4 runs) |
|---|---|---|---|---|---|---|---|
{rows}
{inserted}
{from_sections}

**Verdict (contexts_check):** {verdict}."""


def cmd_report(args):
    if not os.path.isfile(os.path.join(args.data, "meta.env")):
        die("%s/meta.env not found" % args.data)
    kept = ""
    if os.path.isfile(args.output):
        with open(args.output) as f:
            m = KEPT_HEADING.search(f.read())
            if m:
                kept = m.string[m.start():].rstrip("\n")
    text = Report(args.data).render(kept)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output + ".tmp", "w") as f:
        f.write(text)
    os.replace(args.output + ".tmp", args.output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, function, *arguments):
        p = sub.add_parser(name, help=function.__doc__)
        for a in arguments:
            if isinstance(a, tuple):
                p.add_argument(a[0], **a[1])
            else:
                p.add_argument(a)
        p.set_defaults(run=function)

    integer, integers = {"type": int}, {"type": int, "nargs": "+"}
    command("assemble", cmd_assemble, ("--check", {"action": "store_true",
            "help": "compare with the scripts in DIR instead of writing them"}), "dir")
    command("cpu-snapshot", cmd_cpu_snapshot, ("groups", {"nargs": "+"}))
    command("cpu-record", cmd_cpu_record, "key", "before", "after")
    command("tree-pids", cmd_tree_pids, ("pids", integers))
    command("wrk-result", cmd_wrk_result, "key", "c", "raw", "results")
    command("pgbench-result", cmd_pgbench_result, "key", "c", "raw", "results")
    command("peak", cmd_peak, "results", "key")
    command("worker-statements", cmd_worker_statements, "log", ("offset", integer))
    command("report", cmd_report, "data", "output")
    command("ticks", cmd_ticks, ("pids", integers))
    command("children-ticks", cmd_children_ticks, ("pid", integer))
    command("ticks-spent", cmd_ticks_spent, "before", "after")
    command("dispatch-run", cmd_dispatch_run, ("events", integer), ("t0", {"type": float}), ("t1", {"type": float}),
            "receiver_log", ("dispatch", integer), ("pg", integer), ("receiver", integer))
    command("median-run", cmd_median_run, "file")
    command("statement-rows", cmd_statement_rows, "file")
    command("verdict", cmd_verdict, "value", ("op", {"choices": ("<", ">=")}), "limit")
    command("section", cmd_section, "output", "heading")
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
