#!/usr/bin/env bash
# bench/dispatch.sh [--events N] [--runs R] [--latency-events N] [--output FILE] [--keep] [--no-build]
#
# Measures deploy-dispatch on a private stack (PostgreSQL, deploy-api,
# nginx) and writes the "Webhook delivery" section of docs/performance.md
# (the rest of that file belongs to bench/run.sh and is left as it is):
#
#   throughput  N deployment events in the outbox (the lean row the API
#               writes for a real deployment, copied N times under N
#               deployment ids; the dispatcher renders each body), one hook pointing at nginx `return 204` on loopback;
#               from the start of the dispatcher(s) until the last delivery
#               is recorded as delivered: fan-out, claim, HTTP, bookkeeping.
#               With one instance and with two; median of R runs.
#   latency     POST /deployments through the API at light load (about 15 a
#               second), one dispatcher running: from the commit of the
#               API's transaction (pg_xact_commit_timestamp of the
#               deployment row, track_commit_timestamp on) to the arrival at
#               the receiver (nginx's $msec, millisecond resolution).
#
#   --events N          events per throughput run (default 20000)
#   --runs R            throughput runs per instance count (default 3)
#   --latency-events N  deployments created for the latency run (default 300)
#   --output FILE       where the section goes (default docs/performance.md)
#   --keep              keep the data folder (logs, receiver logs)
#   --no-build          use the binaries already in build/dispatch-bench
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"

events=20000 runs=3 latency_events=300 output="$DEPLOY_SRC/docs/performance.md" keep=0 build_it=1
while [ $# -gt 0 ]; do
	case "$1" in
	--events) events=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--latency-events) latency_events=$2; shift 2 ;;
	--output) output=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--no-build) build_it=0; shift ;;
	-h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done

PGBIN=$(pg_bindir)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for c in curl perl python3 "$NGINX" "$PGBIN/psql"; do
	command -v "$c" >/dev/null || die "$c not found (scripts/lib.sh lists the Debian packages)"
done
MEASURE="$BENCH_DIR/measure.py"

build="$DEPLOY_SRC/build/dispatch-bench"
bin="$build/src"
if [ $build_it -eq 1 ]; then deploy_build "$build"
else [ -x "$bin/deploy-dispatch" ] || die "no binaries in $bin"; fi

data=$(mktemp -d /tmp/deploy-dispatch-bench.XXXXXX)
chmod 755 "$data"
note "data folder $data"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

cleaning=0
cleanup() {
	[ $cleaning -eq 1 ] && return
	cleaning=1
	dispatchers_stop
	stop_pidfile "$data/run/receiver.pid"
	stack_stop "$data"
	if [ $keep -eq 1 ]; then note "kept $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(free_port)
stack_start "$data" "$bin" "$port" --workers 4 --rate-limit 0
conninfo=$(stack_conninfo "$data")
# Server settings and bulk provisioning need the superuser.
admin_db=$(stack_conninfo "$data" deploy_admin)
ctl() { "$bin/deployctl" --db "$conninfo" "$@"; }
psql_q() { "$PGBIN/psql" -X -d "$admin_db" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

# Commit timestamps for the latency run, and statement statistics for the
# report: a restart, which the workers ride out.
psql_q "ALTER SYSTEM SET track_commit_timestamp = on"
psql_q "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
pg_stop "$data"
pg_start "$data"
wait_http "http://127.0.0.1:$port/healthz" 30 || die "the API did not come back after the restart"
psql_q "CREATE EXTENSION pg_stat_statements"
# statements_of RUN_FILE: the dispatcher's statements, time per delivery.
statements_of() {
	psql_q "SELECT CASE WHEN query LIKE '%pg_try_advisory_xact_lock%' THEN 'fan-out'
	            WHEN query LIKE '%FROM delivery_queue q%LIMIT%' THEN 'claim'
	            WHEN query LIKE '%json_to_recordset%' THEN 'finish'
	            WHEN query LIKE 'VACUUM%' THEN 'vacuum'
	            WHEN query LIKE '%FROM deliveries%created_at >=%' THEN 'prune' END,
	        sum(calls), round(sum(total_exec_time)::numeric, 1),
	        round((sum(total_exec_time) * 1000 / $events)::numeric, 1)
	   FROM pg_stat_statements
	  WHERE query LIKE '%pg_try_advisory_xact_lock%' OR query LIKE '%FROM delivery_queue q%LIMIT%'
	     OR query LIKE '%json_to_recordset%' OR query LIKE 'VACUUM%delivery_queue%'
	     OR query LIKE '%FROM deliveries%created_at >=%'
	  GROUP BY 1 ORDER BY 3 DESC" > "$1"
}

# --- the receiver: nginx answering 204 at once ---------------------------
rport=$(free_port)
mkdir -p "$data/receiver"/{client_body,proxy,fastcgi,uwsgi,scgi}
cat > "$data/receiver/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $data/receiver/nginx.pid;
error_log $data/log/receiver-error.log warn;
events { worker_connections 4096; }
http {
    log_format hook '\$msec \$http_x_github_delivery';
    access_log $data/log/receiver.log hook buffer=256k flush=1s;
    client_body_temp_path $data/receiver/client_body;
    proxy_temp_path $data/receiver/proxy;
    fastcgi_temp_path $data/receiver/fastcgi;
    uwsgi_temp_path $data/receiver/uwsgi;
    scgi_temp_path $data/receiver/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$rport;
        location / { return 204; }
    }
}
CONF
[ "$(id -u)" -ne 0 ] || sed -i '1i user root;' "$data/receiver/nginx.conf"
"$NGINX" -p "$data/receiver" -c "$data/receiver/nginx.conf" >>"$data/log/receiver-nginx.log" 2>&1 &
echo $! > "$data/run/receiver.pid"
for _ in $(seq 1 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$rport/")" = 204 ] && break
	sleep 0.1
done

# --- provisioning ---------------------------------------------------------
ctl user create bench >/dev/null
ctl repo create bench/hooked --default-branch main >/dev/null
token=$(ctl token create bench --scopes repo --rate-limit 0)
repo_id=$(psql_q "SELECT id FROM repositories WHERE name = 'hooked'")
psql_q "INSERT INTO hooks (repository_id, url, content_type, secret, events)
	VALUES ($repo_id, 'http://127.0.0.1:$rport/hook', 'json', 'bench-secret', '{*}')"
api_post_deployment() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $token" -X POST \
		-d '{"ref":"0123456789abcdef0123456789abcdef01234567","environment":"production","required_contexts":[]}' \
		"http://127.0.0.1:$port/api/v3/repos/bench/hooked/deployments"
}
# One real event, as the API writes it (a lean row: sql/0014), as the
# template of the backlog.
[ "$(api_post_deployment)" = 201 ] || die "cannot create a deployment through the API"
psql_q "CREATE TABLE bench_template AS SELECT * FROM outbox"
row_bytes=$(psql_q "SELECT octet_length(event_values::text) FROM bench_template")
payload_bytes=$("$bin/deploy-dispatch" --db "$conninfo" --show-outbox \
	"$(psql_q "SELECT id FROM bench_template")" | cut -f2- | tr -d '\n' | wc -c)
psql_q "DELETE FROM outbox"

# --- processes and CPU ----------------------------------------------------
dispatchers_stop() {
	local f
	for f in "$data"/run/dispatch-*.pid; do [ -e "$f" ] && stop_pidfile "$f"; done
	return 0
}
# ticks PID...: user + system CPU ticks of the processes.
ticks() { "$MEASURE" ticks "$@"; }
# PostgreSQL's processes come and go (the dispatchers' backends): a
# snapshot "pid ticks" per line, and the ticks spent between two snapshots.
pg_snapshot() { "$MEASURE" children-ticks "$(head -n 1 "$data/pg/postmaster.pid")"; }
pg_spent() { "$MEASURE" ticks-spent "$1" "$2"; }
receiver_pids() { echo "$(cat "$data/run/receiver.pid") $(pgrep -P "$(cat "$data/run/receiver.pid")" | tr '\n' ' ')"; }

drained() {
	[ "$(psql_q "SELECT NOT EXISTS (SELECT 1 FROM outbox)
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE status = 'pending')")" = t ]
}

# throughput_run INSTANCES RUN: prints "rate receiver_rate dispatch_s pg_s receiver_s".
throughput_run() {
	local k=$1 r=$2 i pids="" t0 t1 r0 d1 r1 rcp
	psql_q "TRUNCATE deliveries CASCADE" 2>/dev/null
	psql_q "DELETE FROM outbox"
	psql_q "VACUUM ANALYZE outbox"
	psql_q "INSERT INTO outbox (event, action, repository_id, deployment_id, sender_id,
			event_values, api_url, web_url)
		SELECT t.event, t.action, t.repository_id, 1000000 + g, t.sender_id, t.event_values,
		       t.api_url, t.web_url
		  FROM bench_template t, generate_series(1, $events) g"
	psql_q "CHECKPOINT"
	psql_q "SELECT pg_stat_statements_reset()" >/dev/null
	: > "$data/log/receiver.log"
	rcp=$(receiver_pids)
	pg_snapshot > "$data/pg-before"
	# shellcheck disable=SC2086
	r0=$(ticks $rcp)
	t0=$(date +%s.%N)
	# The receiver is on loopback, which deploy-dispatch refuses by default.
	for i in $(seq 1 "$k"); do
		"$bin/deploy-dispatch" --db "$conninfo" --hook-allowed-hosts loopback >>"$data/log/deploy-dispatch.log" 2>&1 &
		echo $! > "$data/run/dispatch-$i.pid"
		pids="$pids $!"
	done
	until drained; do sleep 0.1; done
	t1=$(date +%s.%N)
	# shellcheck disable=SC2086
	d1=$(ticks $pids); r1=$(ticks $rcp)
	pg_snapshot > "$data/pg-after"
	statements_of "$data/statements-$k-$r"
	dispatchers_stop
	sleep 1.5 # nginx flushes its log buffer every second
	[ "$(wc -l < "$data/log/receiver.log")" -ge "$events" ] || die "the receiver saw fewer than $events requests"
	"$MEASURE" dispatch-run "$events" "$t0" "$t1" "$data/log/receiver.log" \
		"$d1" "$(pg_spent "$data/pg-before" "$data/pg-after")" "$((r1 - r0))"
}

declare -A RESULT STATEMENTS
for k in 1 2; do
	: > "$data/throughput-$k"
	for r in $(seq 1 "$runs"); do
		line=$(throughput_run "$k" "$r")
		note "throughput, $k instance(s), run $r: $line"
		echo "$line" >> "$data/throughput-$k"
	done
	# The run with the median rate, all its figures.
	read -r medrun "RESULT[$k]" < <("$MEASURE" median-run "$data/throughput-$k")
	STATEMENTS[$k]=$("$MEASURE" statement-rows "$data/statements-$k-$medrun")
	RESULT[$k-all]=$(cut -d' ' -f1 "$data/throughput-$k" | tr '\n' ' ')
done

# --- latency at light load -------------------------------------------------
psql_q "TRUNCATE deliveries CASCADE" 2>/dev/null
psql_q "DELETE FROM outbox"
: > "$data/log/receiver.log"
"$bin/deploy-dispatch" --db "$conninfo" --hook-allowed-hosts loopback >>"$data/log/deploy-dispatch.log" 2>&1 &
echo $! > "$data/run/dispatch-1.pid"
sleep 1
for _ in $(seq 1 "$latency_events"); do
	[ "$(api_post_deployment)" = 201 ] || die "POST /deployments failed"
	sleep 0.05
done
until drained; do sleep 0.1; done
dispatchers_stop
sleep 1.5
psql_q "CREATE TABLE bench_arrivals (t float8, guid uuid)"
"$PGBIN/psql" -X -d "$admin_db" -q -v ON_ERROR_STOP=1 \
	-c "\\copy bench_arrivals FROM '$data/log/receiver.log' WITH (FORMAT text, DELIMITER ' ')"
latency=$(psql_q "SELECT count(*),
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
	round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 1),
	round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
	round(max(ms)::numeric, 1)
	FROM (SELECT (a.t - extract(epoch FROM pg_xact_commit_timestamp(dep.xmin))) * 1000 AS ms
	        FROM bench_arrivals a JOIN deliveries d ON d.guid = a.guid
	        JOIN deployments dep ON dep.id = d.deployment_id) x" | tr '|' ' ')
read -r lat_n lat_p50 lat_p90 lat_p99 lat_max <<< "$latency"
[ "$lat_n" = "$latency_events" ] || note "latency: $lat_n deliveries matched, $latency_events expected"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------
read -r r1 rr1 d1 p1 n1 <<< "${RESULT[1]}"
read -r r2 rr2 d2 p2 n2 <<< "${RESULT[2]}"
verdict() { "$MEASURE" verdict "$@"; }
section=$(cat <<EOF
## Webhook delivery

Measured by \`bench/dispatch.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average $load_before before,
$load_after after; the machine is shared, so read the figures as orders of magnitude). Commit
$(git -C "$DEPLOY_SRC" describe --always --dirty 2>/dev/null || echo unknown) ("-dirty": the working tree had changes), default options
(\`--concurrency 100 --batch 100\`), PostgreSQL defaults of \`scripts/lib.sh\`, receiver: nginx
\`return 204\` on loopback (one worker). Each event is a real \`deployment\` event as the API writes it
(a lean row, $row_bytes bytes of values), rendered by the dispatcher at fan-out ($payload_bytes bytes),
signed with HMAC-SHA256 and SHA-1, one hook.

**Throughput**: $events events queued in the outbox, from the start of the dispatcher(s) until the
last one is recorded as delivered (fan-out, claim, request, attempt row, status). Median of
$runs runs (all runs in brackets); CPU seconds over the median run.

| instances | deliveries/s | at the receiver/s | CPU: dispatch | CPU: PostgreSQL | CPU: receiver |
| --- | --- | --- | --- | --- | --- |
| 1 | **$r1** (${RESULT[1-all]% }) | $rr1 | $d1 s | $p1 s | $n1 s |
| 2 | **$r2** (${RESULT[2-all]% }) | $rr2 | $d2 s | $p2 s | $n2 s |

PostgreSQL's side of the median runs (pg_stat_statements, all instances together):

| statement (1 instance) | calls | total | per delivery |
| --- | --- | --- | --- |
${STATEMENTS[1]}

| statement (2 instances) | calls | total | per delivery |
| --- | --- | --- | --- |
${STATEMENTS[2]}

**Latency at light load**: $lat_n deployments created through the API, about 15 a second, one
dispatcher; from the commit of the API's transaction to the arrival at the receiver:
median **$lat_p50 ms**, p90 $lat_p90 ms, p99 **$lat_p99 ms**, max $lat_max ms.

| target | measured | |
| --- | --- | --- |
| median latency < 25 ms | $lat_p50 ms | $(verdict "$lat_p50" "<" 25) |
| p99 latency < 250 ms | $lat_p99 ms | $(verdict "$lat_p99" "<" 250) |
| one instance >= 3,000 deliveries/s | $r1/s | $(verdict "$r1" ">=" 3000) |
| a second instance adds throughput | $r1/s -> $r2/s | $(verdict "$r2" ">=" "$((r1 + 1))") |

How to read it: a dispatcher runs on one thread and waits for each statement, so one instance
delivers at about 1 / (its own CPU per delivery + PostgreSQL's time per delivery) while its
requests run concurrently; a second instance overlaps the two, until the two cores are full
(PostgreSQL, both dispatchers, the receiver and the idle API share them). Every statement works on
a batch: one fan-out per 1,000 outbox rows, one claim and one finish per batch of deliveries (the
calls column), so the per-delivery cost is mostly the rows written: the delivery (with its payload)
and its queue row, the attempt row with its headers, the delivery's update.
EOF
)
# In place of the section of that heading, or at the end; the rest of the
# file is bench/run.sh's.
printf '%s\n' "$section" | "$MEASURE" section "$output" "## Webhook delivery"
note "wrote the \"Webhook delivery\" section of $output"
echo "$section"
