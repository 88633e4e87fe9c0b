#!/usr/bin/env bash
# bench/run.sh [--quick] [--only NAME[,NAME...]] [--output FILE] [--keep] [--no-build]
#
# Measures endpoints against their ceilings in ONE run, on a private stack,
# and writes docs/performance.md (see /work/shared/PERFORMANCE.md for the
# method and the "combined ceiling"):
#
#   endpoint   wrk through nginx -> FastCGI -> deploy-api (--workers 4) -> PostgreSQL
#   static     the same response body served by nginx as a static file
#   libfcgi    bench/fcgi_static.c (4 prefork children) answering the same
#              bytes behind the same nginx configuration shape   -> H
#   pgbench    the endpoint's SQL, -M prepared, same concurrency   -> D
#   combined   1 / (1/H + 1/D);  ratio = endpoint / combined
#
# Each run also records which processes burned the CPU (from /proc).
#
#   --quick        3 s runs instead of 10 s, result written to
#                  build/bench/performance-quick.md unless --output is given
#   --only NAMES   only these endpoints of the table below
#   --output FILE  where to write the report (default docs/performance.md)
#   --keep         keep the data folder (logs, raw wrk/pgbench output)
#   --no-build     use the binaries already in build/bench
#
# bench/report.sh DATA OUTPUT rewrites the report from a --keep data folder.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"

# ---------------------------------------------------------------------------
# The endpoints. One line each:
#   name | method | path | wrk Lua script | pgbench SQL | request body | target | title
# Paths and files are relative to bench/. {owner} and {repo} in the path are
# replaced by the provisioned repository. The Lua script sets the method,
# headers and body for wrk (see lua/common.lua); the SQL file is what the
# endpoint runs, with :token_hash, :owner, :repo, :user_id, :repo_id, :no_deployment (0)
# available as pgbench variables. "request body" is a file sent once with
# curl to capture the response bytes the ceilings replay ("-": none). target
# is the ratio endpoint / combined ceiling the endpoint should reach. The
# run checks that the SQL file holds the statements the endpoint runs (see
# check_sql), and notes/NAME.md, if present, is appended to its report.
# A write endpoint would look like:
#   "create_deployment|POST|/api/v3/repos/{owner}/{repo}/deployments|lua/create_deployment.lua|sql/create_deployment.sql|body/create_deployment.json|0.8|POST /repos/{owner}/{repo}/deployments"
# with lua/create_deployment.lua setting wrk.method = "POST" and
# wrk.body = bench.read("body/create_deployment.json").
ENDPOINTS=(
	"get_repo|GET|/api/v3/repos/{owner}/{repo}|lua/get_repo.lua|sql/get_repo.sql|-|0.7|Authenticated GET /repos/{owner}/{repo}"
)
CONCURRENCIES=(16 64)
WORKERS=4
OWNER=bench
REPO=bench-repo

# ---------------------------------------------------------------------------
quick=0 keep=0 only="" output="" build_it=1
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--keep) keep=1; shift ;;
	--no-build) build_it=0; shift ;;
	--only) only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--output) output=$2; shift 2 ;;
	--output=*) output=${1#*=}; shift ;;
	-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
if [ $quick -eq 1 ]; then DUR=3 WARM=1; else DUR=10 WARM=2; fi
if [ -z "$output" ]; then
	if [ $quick -eq 1 ]; then output="$DEPLOY_SRC/build/bench/performance-quick.md"
	else output="$DEPLOY_SRC/docs/performance.md"; fi
fi

PGBIN=$(pg_bindir)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for c in wrk curl cc perl "$NGINX" "$PGBIN/pgbench" "$PGBIN/psql"; do
	command -v "$c" >/dev/null || die "$c not found (scripts/lib.sh lists the Debian packages)"
done
[ -f /usr/include/fcgiapp.h ] || die "libfcgi-dev is missing"
CLK_TCK=$(getconf CLK_TCK)

started=$(date +%s)
build="$DEPLOY_SRC/build/bench"
bin="$build/src"
if [ $build_it -eq 1 ]; then deploy_build "$build"
else [ -x "$bin/deploy-api" ] && [ -x "$bin/deployctl" ] || die "no binaries in $bin"; fi

data=$(mktemp -d /tmp/deploy-bench.XXXXXX)
mkdir -p "$data/bench" "$data/out"
note "data folder $data"
cc -O2 -Wall "$BENCH_DIR/fcgi_static.c" -lfcgi -o "$data/bench/fcgi_static" || die "cannot build fcgi_static"

cleaning=0
cleanup() {
	[ $cleaning -eq 1 ] && return
	cleaning=1
	ceilings_stop
	stack_stop "$data"
	if [ $keep -eq 1 ]; then note "kept $data"; else rm -rf "$data"; fi
}
# The ceiling processes of the endpoint being measured.
ceilings_stop() {
	stop_pidfile "$data/run/ceiling-nginx.pid"
	stop_pidfile "$data/run/fcgi_static.pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(free_port)
stack_start "$data" "$bin" "$port" --workers "$WORKERS" --rate-limit 0
conninfo=$(stack_conninfo "$data")
ctl() { "$bin/deployctl" --db "$conninfo" "$@"; }
psql_q() { "$PGBIN/psql" -X -h "$data/pgrun" -p 5432 -U deploy -d deploy -Atq -v ON_ERROR_STOP=1 -c "$1"; }

# --- provisioning -----------------------------------------------------------
ctl user create "$OWNER" >/dev/null
ctl repo create "$OWNER/$REPO" --default-branch main \
	--description "Benchmark repository" >/dev/null
TOKEN=$(ctl token create "$OWNER" --scopes repo --rate-limit 0)
TOKEN_HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
USER_ID=$(psql_q "SELECT id FROM users WHERE login = '$OWNER'")
REPO_ID=$(psql_q "SELECT id FROM repositories WHERE name = '$REPO'")
[ "$(psql_q "SELECT count(*) FROM tokens WHERE token_hash = '$TOKEN_HASH'")" = 1 ] \
	|| die "the token's sha256 is not in the tokens table"
export BENCH_TOKEN=$TOKEN BENCH_OWNER=$OWNER BENCH_REPO=$REPO BENCH_DIR BENCH_LUA_DIR="$BENCH_DIR/lua"

# --- measuring helpers -----------------------------------------------------
# cpu_snapshot: "busy TICKS", "total TICKS" for the machine, then "GROUP TICKS"
# for every process tree of ours (utime+stime+cutime+cstime: reaped children,
# such as recycled workers or pgbench's backends, count in their parent).
cpu_snapshot() {
	local roots="api:$(cat "$data/run/deploy-api.pid")"
	roots+=" pg:$(head -n 1 "$data/pg/postmaster.pid")"
	roots+=" nginx:$(cat "$data/run/nginx.master.pid")"
	[ -f "$data/run/ceiling-nginx.pid" ] && roots+=" cnginx:$(cat "$data/run/ceiling-nginx.pid")"
	[ -f "$data/run/fcgi_static.pid" ] && roots+=" fcgi:$(cat "$data/run/fcgi_static.pid")"
	{ head -n 1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$roots" '
		NR == 1 { busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; next }
		{
			pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
			ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15]
		}
		END {
			n = split(roots, rs, " ")
			for (i = 1; i <= n; i++) { split(rs[i], kv, ":"); root[kv[2]] = kv[1]; sum[kv[1]] = 0 }
			for (p in t) {
				q = p
				for (d = 0; d < 64 && q > 1 && !(q in root); d++) q = ppid[q]
				if (q in root) sum[root[q]] += t[p]
			}
			print "busy", busy; print "total", total
			for (g in sum) print g, sum[g]
		}'
}

# load_ticks FILE: the CPU of this shell's finished children (wrk, pgbench)
# from the output of the times builtin, which must run in this very shell.
load_ticks() {
	tail -n 1 "$1" | awk -v hz="$CLK_TCK" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
		printf "%d\n", t * hz }'
}

# cpu_start / cpu_stop KEY: snapshots around one measurement.
cpu_start() {
	times > "$data/times.before"
	{ cpu_snapshot; echo "load $(load_ticks "$data/times.before")"; } > "$data/cpu.before"
}
cpu_stop() {
	times > "$data/times.after"
	{ cpu_snapshot; echo "load $(load_ticks "$data/times.after")"; } > "$data/cpu.after"
	cpu_record "$1" "$data/cpu.before" "$data/cpu.after"
}

# cpu_record KEY BEFORE AFTER: per-group CPU in % of one core over the run;
# "load" is wrk or pgbench, "other" whatever else kept the machine busy.
cpu_record() {
	local key=$1 before=$2 after=$3
	awk -v key="$key" -v hz="$CLK_TCK" -v ncpu="$(nproc)" '
		FNR == NR { b[$1] = $2; next }
		{ d[$1] = $2 - b[$1] }
		END {
			secs = d["total"] / hz / ncpu
			if (secs <= 0) secs = 1
			ours = 0
			out = key "\tbusy=" sprintf("%.0f", 100 * d["busy"] / hz / secs)
			split("api pg nginx cnginx fcgi", gs, " ")
			for (i = 1; i <= 5; i++) {
				g = gs[i]; v = (g in d) ? d[g] : 0; if (v < 0) v = 0
				ours += v
				out = out "\t" g "=" sprintf("%.0f", 100 * v / hz / secs)
			}
			load = d["load"]; if (load < 0) load = 0
			rest = d["busy"] - ours; if (rest < 0) rest = 0
			other = rest - load; if (other < 0) other = 0
			print out "\tload=" sprintf("%.0f", 100 * load / hz / secs) "\tother=" sprintf("%.0f", 100 * other / hz / secs) \
				"\trest=" sprintf("%.0f", 100 * rest / hz / secs)
		}' "$before" "$after" >> "$data/cpu.tsv"
}

# kv NAME LINE: the value of NAME=VALUE in LINE.
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# run_wrk KEY C URL LUA: one wrk run, its result appended to results.tsv as
#   KEY  C  rps  p50_us  p90_us  p99_us  errors
run_wrk() {
	local key=$1 c=$2 url=$3 lua=$4 raw="$data/out/${1//\//-}-c$2.wrk" line errs
	cpu_start
	wrk -t2 -c"$c" -d"${DUR}s" --latency -s "$lua" "$url" > "$raw" 2>&1 || true
	cpu_stop "$key c$c"
	line=$(grep '^BENCH ' "$raw" || true)
	if [ -z "$line" ]; then
		cat "$raw" >&2
		printf '%s\t%s\tFAILED\t-\t-\t-\twrk failed\n' "$key" "$c" >> "$data/results.tsv"
		return 0
	fi
	errs=$(( $(kv err_connect "$line") + $(kv err_read "$line") + $(kv err_write "$line") + $(kv err_timeout "$line") + $(kv non2xx3xx "$line") ))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$c" "$(kv rps "$line")" "$(kv p50_us "$line")" \
		"$(kv p90_us "$line")" "$(kv p99_us "$line")" "$errs" >> "$data/results.tsv"
	note "$key c$c: $(kv rps "$line") req/s, p50 $(kv p50_us "$line") us, p99 $(kv p99_us "$line") us, errors $errs"
}

# run_pgbench KEY C SQL: tps and average latency (us) into results.tsv.
run_pgbench() {
	local key=$1 c=$2 sql=$3 raw="$data/out/${1//\//-}-c$2.pgbench" tps lat failed
	cpu_start
	"$PGBIN/pgbench" -n -M prepared -T "$DUR" -j 2 -c "$c" -f "$sql" \
		-D token_hash="$TOKEN_HASH" -D owner="$OWNER" -D repo="$REPO" \
		-D user_id="$USER_ID" -D repo_id="$REPO_ID" -D no_deployment=0 \
		-h "$data/pgrun" -p 5432 -U deploy deploy > "$raw" 2>&1 || true
	cpu_stop "$key c$c"
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$raw" | head -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$raw" | head -n 1)
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$raw" | head -n 1)
	if [ -z "$tps" ]; then
		cat "$raw" >&2
		printf '%s\t%s\tFAILED\t-\t-\t-\tpgbench failed\n' "$key" "$c" >> "$data/results.tsv"
		return 0
	fi
	lat=$(awk -v l="${lat:-0}" 'BEGIN { printf "%d", l * 1000 }')
	printf '%s\t%s\t%s\t%s\t-\t-\t%s\n' "$key" "$c" "$tps" "$lat" "${failed:-0}" >> "$data/results.tsv"
	note "$key c$c: $tps tps, average latency $lat us, failed ${failed:-0}"
}

# check_sql NAME METHOD URL BODY SQL: are the statements of the pgbench
# script the ones deploy-api runs for one request? PostgreSQL logs every
# statement for that request (log_min_duration_statement = 0, then reset);
# sql/normalize.pl puts both sides in the same form. Prints "yes" or "no";
# a mismatch is a warning, with the worker's statements and parameters in
# out/NAME-statements.log.
check_sql() {
	local name=$1 method=$2 url=$3 body=$4 sql=$5 log="$data/pgrun/postgres.log" size
	local out="$data/out/$name-statements.log" args
	size=$(stat -c %s "$log")
	psql_q "ALTER SYSTEM SET log_min_duration_statement = 0" && psql_q "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	args=(-s -o /dev/null -X "$method" -H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json")
	[ "$body" != "-" ] && args+=(--data-binary "@$BENCH_DIR/$body" -H "Content-Type: application/json")
	curl "${args[@]}" "$url" || true
	sleep 0.2
	psql_q "ALTER SYSTEM RESET log_min_duration_statement" && psql_q "SELECT pg_reload_conf()" >/dev/null
	# Join continuation lines, keep what the workers executed.
	tail -c +$((size + 1)) "$log" | awk '/^\t/ { sub(/^\t/, " "); last = last $0; next }
		{ if (last != "") print last; last = $0 } END { if (last != "") print last }' \
		| grep -E 'duration: [0-9.]+ ms  (execute [^:]*|statement): |DETAIL:  parameters: ' \
		| grep -vE 'ALTER SYSTEM|pg_reload_conf' > "$out" || true
	sed -n 's/.*duration: [0-9.]* ms  \(execute [^:]*\|statement\): //p' "$out" \
		| perl "$BENCH_DIR/sql/normalize.pl" -l | sort -u > "$out.ran"
	perl "$BENCH_DIR/sql/normalize.pl" "$sql" | sort -u > "$out.mine"
	if [ -s "$out.ran" ] && cmp -s "$out.ran" "$out.mine"; then
		echo yes
	else
		note "WARNING: $name: the statements of $sql are not those the workers ran ($out):"
		cat "$out" >&2
		echo no
	fi
}

# write_ceiling_config NAME DIR STATIC_PORT FCGI_PORT: an nginx like the
# stack's (nginx/deploy-api.conf.in: 2 workers, access_log off,
# fastcgi_keep_conn off) with a static server and a FastCGI server.
write_ceiling_config() {
	local name=$1 dir=$2 sport=$3 fport=$4 h v
	mkdir -p "$dir"/{client_body,fastcgi,proxy,uwsgi,scgi,root}
	{
		[ "$(id -u)" -eq 0 ] && echo "user $(id -un);"
		cat <<CONF
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $data/log/ceiling-nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    client_body_temp_path $dir/client_body;
    fastcgi_temp_path $dir/fastcgi;
    proxy_temp_path $dir/proxy;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;

    # (a) the same body as a static file, with the endpoint's own headers.
    server {
        listen 127.0.0.1:$sport;
        root $dir/root;
        etag off;
        default_type "$(sed -n 's/^Content-Type: //Ip' "$dir/headers" | head -n 1)";
        location / {
            try_files /body =404;
            # Static files answer GET only; this serves them to POST too.
            error_page 405 =200 /body;
CONF
		while IFS= read -r h; do
			v=${h#*: }
			case "$h" in *'$'*) continue ;; esac
			v=${v//\\/\\\\}; v=${v//\"/\\\"}
			echo "            add_header ${h%%:*} \"$v\" always;"
		done < <(tail -n +2 "$dir/headers" | grep ': ' \
			| grep -viE '^(Status|Content-Type|Content-Length|Transfer-Encoding|Connection|Keep-Alive|Server|Date):')
		cat <<CONF
        }
    }

    # (b) bench/fcgi_static.c answering the same bytes.
    server {
        listen 127.0.0.1:$fport;
        location / {
            fastcgi_pass unix:$data/run/fcgi_static.sock;
            fastcgi_keep_conn off;
            fastcgi_read_timeout 30s;
            fastcgi_param REQUEST_METHOD  \$request_method;
            fastcgi_param REQUEST_URI     \$request_uri;
            fastcgi_param QUERY_STRING    \$query_string;
            fastcgi_param CONTENT_TYPE    \$content_type;
            fastcgi_param CONTENT_LENGTH  \$content_length;
            fastcgi_param SERVER_NAME     \$server_name;
            fastcgi_param SERVER_PORT     \$server_port;
            fastcgi_param SERVER_PROTOCOL \$server_protocol;
            fastcgi_param REMOTE_ADDR     \$remote_addr;
        }
    }
}
CONF
	} > "$dir/nginx.conf"
}

# capture NAME METHOD URL BODY DIR: the endpoint's response as DIR/headers
# (HTTP headers, CRs removed), DIR/root/body and DIR/response.cgi (what a
# FastCGI responder writes: Status, the headers nginx does not add itself,
# a blank line, the body).
capture() {
	local name=$1 method=$2 url=$3 body=$4 dir=$5 status
	local args=(-sS -X "$method" -H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json"
		-D "$dir/headers.raw" -o "$dir/root/body")
	[ "$body" != "-" ] && args+=(--data-binary "@$BENCH_DIR/$body" -H "Content-Type: application/json")
	mkdir -p "$dir/root"
	curl "${args[@]}" "$url" || die "$name: curl failed"
	tr -d '\r' < "$dir/headers.raw" > "$dir/headers"
	status=$(head -n 1 "$dir/headers" | cut -d' ' -f2-)
	case "$status" in 2*) ;; *) die "$name: $method $url answered $status" ;; esac
	{
		printf 'Status: %s\r\n' "$status"
		tail -n +2 "$dir/headers" | grep -viE '^(Server|Date|Connection|Keep-Alive|Transfer-Encoding):' \
			| grep -v '^$' | sed 's/$/\r/'
		printf '\r\n'
		cat "$dir/root/body"
	} > "$dir/response.cgi"
}

# --- the run ---------------------------------------------------------------
: > "$data/results.tsv"
: > "$data/cpu.tsv"
: > "$data/endpoints.tsv"
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

for entry in "${ENDPOINTS[@]}"; do
	IFS='|' read -r name method path lua sql body target title <<<"$entry"
	if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
	path=${path//\{owner\}/$OWNER}; path=${path//\{repo\}/$REPO}
	note "endpoint $name: $method $path"
	dir="$data/ceiling-$name"
	mkdir -p "$dir"
	capture "$name" "$method" "http://127.0.0.1:$port$path" "$body" "$dir"
	bytes=$(wc -c < "$dir/root/body")
	hbytes=$(wc -c < "$dir/headers.raw")

	# The ceilings for this endpoint's bytes.
	sport=$(free_port); fport=$(free_port)
	while [ "$fport" = "$sport" ]; do fport=$(free_port); done
	write_ceiling_config "$name" "$dir" "$sport" "$fport"
	"$data/bench/fcgi_static" "$data/run/fcgi_static.sock" "$WORKERS" "$dir/response.cgi" \
		>>"$data/log/fcgi_static.log" 2>&1 &
	echo $! > "$data/run/fcgi_static.pid"
	"$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$data/log/ceiling-nginx-error.log" \
		>>"$data/log/ceiling-nginx.log" 2>&1 &
	echo $! > "$data/run/ceiling-nginx.pid"
	for u in "http://127.0.0.1:$sport$path" "http://127.0.0.1:$fport$path"; do
		wait_http "$u" 10 || { cat "$data/log/ceiling-nginx-error.log" "$data/log/fcgi_static.log" >&2; die "$name: no answer from $u"; }
		[ "$(curl -s -X "$method" "$u" | md5sum)" = "$(md5sum < "$dir/root/body")" ] \
			|| die "$name: $u does not answer the endpoint's body"
	done

	# Warm up (workers' prepared statements, nginx, PostgreSQL caches).
	wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/$lua" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
	wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/$lua" "http://127.0.0.1:$fport$path" >/dev/null 2>&1 || true
	sql_match=$(check_sql "$name" "$method" "http://127.0.0.1:$port$path" "$body" "$BENCH_DIR/$sql")

	for c in "${CONCURRENCIES[@]}"; do
		run_wrk "$name/endpoint" "$c" "http://127.0.0.1:$port$path" "$BENCH_DIR/$lua"
		run_wrk "$name/static" "$c" "http://127.0.0.1:$sport$path" "$BENCH_DIR/$lua"
		run_wrk "$name/libfcgi" "$c" "http://127.0.0.1:$fport$path" "$BENCH_DIR/$lua"
		run_pgbench "$name/pgbench" "$c" "$BENCH_DIR/$sql"
	done
	ceilings_stop
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$method" "$path" "$lua" "$sql" \
		"$target" "$title" "$bytes" "$hbytes" "$sql_match" >> "$data/endpoints.tsv"
done
loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(( $(date +%s) - started ))
{
	for v in quick DUR WORKERS elapsed loadavg_before loadavg_after run_date; do
		printf '%s=%q\n' "$v" "${!v}"
	done
	printf 'CONCURRENCIES=(%s)\n' "${CONCURRENCIES[*]}"
	printf 'commit=%q\n' "$(git -C "$DEPLOY_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	printf 'dirty=%q\n' "$(git -C "$DEPLOY_SRC" status --porcelain -- src sql 2>/dev/null | grep -q . && echo yes || echo no)"
} > "$data/meta.env"
"$BENCH_DIR/report.sh" "$data" "$output"
note "wrote $output (run took ${elapsed} s)"
