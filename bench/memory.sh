#!/usr/bin/env bash
# The workers' memory over 100,000 requests (issue 12, item 6: under 10 MiB
# and flat): GET one deployment, a list page of a repository of 100,000 and
# a create, in turns of ROUND_S seconds each, until REQUESTS were answered;
# each worker's resident set (VmRSS) read after every turn. The stack is the
# one scripts/run starts (bench/stack.sh) but for --max-requests 0: the
# same workers serve every request, so that growth cannot hide in recycling
# (scripts/run's workers are replaced after 10,000 each). Writes
# docs/performance.md's "Worker memory".
#   bench/memory.sh [--bin DIR] [--output FILE]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"
MEASURE="$BENCH_DIR/measure.py"
REQUESTS=100000 ROUND_S=1 LIMIT_KIB=10240
source "$BENCH_DIR/stack.sh"
bench_options "$@"
bench_stack "$bin" --max-requests 0

master=$(cat "$data/run/deploy-api.pid")
workers() { pgrep -P "$master" | sort -n; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
first_workers=$(workers | tr '\n' ' ')
deployment=$(psql_q "SELECT max(id) FROM deployments WHERE repository_id = (SELECT id FROM repositories WHERE name = 'deep')")
export BENCH_TOKEN=$token BENCH_DIR BENCH_LUA_DIR="$BENCH_DIR/lua"
deep="$url/api/v3/repos/bench/deep/deployments"
served=0 samples="$data/rss.tsv"
sample() {
	local pid
	for pid in $first_workers; do printf '%s\t%s\t%s\n' "$served" "$pid" "$(rss_kib "$pid")"; done >> "$samples"
}
turn() {
	local lua=$1 target=$2 raw="$data/turn.wrk"
	wrk -t2 -c16 -d"${ROUND_S}s" -s "$BENCH_DIR/lua/$lua" "$target" > "$raw" 2>&1 || true
	served=$((served + $(sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p' "$raw")))
}
turn get.lua "$deep/$deployment"   # warm-up: every worker has prepared and cached
sample
while [ "$served" -lt "$REQUESTS" ]; do
	turn get.lua "$deep/$deployment"
	turn get.lua "$deep?per_page=30"
	turn create_unchecked.lua "$deep"
	sample
	note "$served requests answered"
done
[ "$(workers | tr '\n' ' ')" = "$first_workers" ] || die "workers were replaced during the run"

summary=$(python3 - "$samples" "$LIMIT_KIB" <<'PY'
import collections, sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
limit = int(sys.argv[2])
by_pid = collections.defaultdict(list)
for served, pid, kib in rows:
    by_pid[pid].append((int(served), int(kib)))
first = max(v[0][1] for v in by_pid.values())
last = max(v[-1][1] for v in by_pid.values())
peak = max(k for v in by_pid.values() for _, k in v)
growth = max(v[-1][1] - v[0][1] for v in by_pid.values())
served = max(s for v in by_pid.values() for s, _ in v)
print(f"{len(by_pid)}\t{served}\t{first}\t{last}\t{peak}\t{growth}\t{'met' if peak < limit and growth <= 256 else '**not met**'}")
PY
)
IFS=$'\t' read -r nworkers served first last peak growth verdict <<< "$summary"
"$MEASURE" section "$output" "## Worker memory" <<SECTION
## Worker memory

Measured by \`bench/memory.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores; commit $(git -C "$DEPLOY_SRC" describe --always --dirty 2>/dev/null || echo unknown)): the stack as
\`scripts/run\` starts it but with \`--max-requests 0\` (the same $nworkers workers throughout),
$served requests in turns of GET one deployment, a list page of a repository of 100,000
deployments and a create, each worker's resident set read after every turn.

| | KiB |
|---|---|
| largest worker after warm-up | $first |
| largest worker at the end | $last |
| largest seen | $peak |
| most any worker grew, warm-up to end | $growth |

Target: under 10 MiB and flat (growth within 256 KiB, what allocator reuse may leave): $verdict.
SECTION
note "wrote the \"Worker memory\" section of $output"
