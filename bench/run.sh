#!/usr/bin/env bash
# bench/run.sh [--quick] [--only NAME[,NAME...]] [--output FILE] [--keep] [--no-build] [--head]
#              [--profile] [--profile-only]
#
# Measures endpoints against their ceilings in ONE run, on the stack as
# scripts/run starts it (bench/stack.sh: dispatcher on, default settings,
# rate limits on with a token of budget to spare), on repositories holding
# 100,000 deployments, and writes docs/performance.md (see
# /work/shared/PERFORMANCE.md for the method and the "combined ceiling"):
#
#   endpoint   wrk through nginx -> FastCGI -> deploy-api -> PostgreSQL
#   static     the same response body served by nginx as a static file
#   libfcgi    bench/fcgi_static.c (4 prefork children) answering the same
#              bytes behind the same nginx configuration shape   -> H
#   reference  the endpoint's reference statements
#              (../shared/perf-reference, REFERENCE_DIR below) on a scratch
#              cluster of their own schema and seed, pgbench -M prepared at 8
#              and 16 clients, the better of the two; measured first, and
#              the cluster removed before the product is measured -> D_ref
#   pgbench    the product's own SQL (bench/sql) on the product's
#              database, same concurrency as wrk -> D_own (a diagnosis: what
#              the product's SQL costs over the least it could run)
#   combined   1 / (1/H + 1/D); ratio = endpoint / combined, the target
#              being on the ratio to the reference's (D_ref)
#
# then the measurements that are not ratios to a ceiling (EXTRAS below): the
# list's p99 latency at half its peak rate, the cost of a deep next-link hop,
# the cost of the inactive cascade against the environment's history, and
# the cost of the required_contexts check on create (against the create
# that checks nothing).
# Each run also records which processes burned the CPU (from /proc), and the
# report divides it by the requests: CPU per request of deploy-api, its
# dispatcher, PostgreSQL and nginx.
#
#   --quick        3 s runs instead of 10 s, result written to
#                  build/bench/performance-quick.md unless --output is given
#   --only NAMES   only these endpoints and extras of the tables below
#   --output FILE  where to write the report (default docs/performance.md)
#   --keep         keep the data folder (logs, raw wrk/pgbench output)
#   --no-build     use the binaries already in build/bench (or build/bench-head)
#   --head         build the committed HEAD (git archive into
#                  build/bench-head/tree) instead of the working tree, whose
#                  files other people may be editing
#   --profile      after each endpoint's measurements, sample the stack's
#                  processes with perf for 4 s (2 with --quick) under wrk at
#                  C=16, and put the top processes and the top functions of
#                  deploy-api and postgres in the report
#   --profile-only only that: no measurement, no extras, no report; the
#                  profiles stay in the (kept) data folder, out/NAME-perf-*
#
# bench/measure.py report DATA OUTPUT rewrites the report from a --keep data
# folder; bench/measure.py does the arithmetic, this script runs the processes.
# The pgbench scripts of bench/sql are the statements one request runs
# (check_sql compares them with what the workers log); a worker that
# remembers its caller (src/api/resolve_cache.c) skips the resolve of most
# requests, so D_own is somewhat low. The reference's D does not depend on
# them.
# The data are bench/stack.sh's (bench/provision.sql) and a create
# repository of 100,000 deployments inserted here; the commit statuses the
# create checks are posted through the API (CONTEXTS below).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"

# ---------------------------------------------------------------------------
# The endpoints. One line each:
#   name | method | path | wrk Lua script | pgbench SQL | reference | request body | target | title
# Paths and files are relative to bench/. {NAME} in the path is replaced by
# the provisioned value NAME (see VARS below: {owner}, {repo}, {list_repo},
# {get_dep}...). The Lua script sets the method, headers and body for wrk
# (see lua/common.lua); the SQL file is what the endpoint runs, with every
# value of VARS available as a pgbench variable (-D NAME=VALUE), assembled
# into the data folder from the template of that name in bench/sql and the
# statements it shares with others (bench/sql/fragments, see measure.py
# assemble). "reference" is the script of REFERENCE_DIR that does the
# endpoint's durable work the least way ("-": none; the target is then on
# the ratio to the product's own SQL). "request body" is a file sent once
# with curl to capture the response bytes the ceilings replay ("-": none).
# target is the ratio endpoint / combined ceiling the endpoint should
# reach. The run checks that the SQL file holds the statements the endpoint
# runs (see check_sql), and notes/NAME.md, if present, is appended to its
# report. The writes come first, as the reference's README has it: the
# reads then run on tables that the creates grew.
ENDPOINTS=(
	"create_deployment|POST|/api/v3/repos/{owner}/{create_repo}/deployments|lua/create_deployment.lua|sql/create_deployment.sql|create.sql|body/create_deployment.json|0.8|POST /repos/{owner}/{repo}/deployments, a new environment each time, required_contexts omitted: checks the commit's 5 contexts (no git directory)"
	"create_unchecked|POST|/api/v3/repos/{owner}/{create_repo}/deployments|lua/create_unchecked.lua|sql/create_unchecked.sql|create.sql|body/create_unchecked.json|0.8|POST /repos/{owner}/{repo}/deployments, a new environment each time, required_contexts: [] (no check; no git directory)"
	"status_in_progress|POST|/api/v3/repos/{owner}/{status_repo}/deployments/{progress_dep}/statuses|lua/status_in_progress.lua|sql/status_in_progress.sql|status.sql|body/status_in_progress.json|0.8|POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses, in_progress, every request on one deployment"
	"status_success|POST|/api/v3/repos/{owner}/{status_repo}/deployments/{succ_base}/statuses|lua/status_success.lua|sql/status_success.sql|cascade.sql|body/status_success.json|0.8|POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses, success alternating between two deployments of one environment (each cascades the other)"
	"get_repo|GET|/api/v3/repos/{owner}/{repo}|lua/get_repo.lua|sql/get_repo.sql|-|-|0.7|Authenticated GET /repos/{owner}/{repo}"
	"get_deployment|GET|/api/v3/repos/{owner}/{list_repo}/deployments/{get_dep}|lua/get.lua|sql/get_deployment.sql|get.sql|-|0.7|GET /repos/{owner}/{repo}/deployments/{deployment_id}"
	"list_deployments|GET|/api/v3/repos/{owner}/{list_repo}/deployments?per_page=30|lua/get.lua|sql/list_deployments.sql|list.sql|-|0.7|GET /repos/{owner}/{repo}/deployments?per_page=30 (page 1)"
	"list_statuses|GET|/api/v3/repos/{owner}/{status_repo}/deployments/{list_status_dep}/statuses|lua/get.lua|sql/list_statuses.sql|-|-|0.7|GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses (page 1, 30 items)"
)
# The reference statements (PERFORMANCE.md, "How targets are stated"; its
# README says how to measure them): pgbench at each of REFERENCE_CLIENTS,
# D_ref being the better.
REFERENCE_DIR=${BENCH_REFERENCE_DIR:-$(cd "$BENCH_DIR/../.." && pwd)/shared/perf-reference}
REFERENCE_CLIENTS=(8 16)
# Measurements that are not ratios, after the endpoints (see run_extra_*):
#   list_latency   p99 of list_deployments at half its peak rate (< 10 ms)
#   deep_hop       following rel="next" to page 1,000 vs page 2 of a
#                  100,000-deployment repository (within 1.5x)
#   cascade_cost   a success status in an environment of 100,000 deployments
#                  vs one of 10 (within 1.5x)
#   contexts_check create_deployment (required_contexts omitted, the commit
#                  has the CONTEXTS below, all success) vs create_unchecked
#                  (required_contexts: []), req/s back to back (at least 0.8)
EXTRAS=(list_latency deep_hop cascade_cost contexts_check)
CONCURRENCIES=(16 64)
# deploy-api's workers: its default (4 per CPU, at most 64: src/api/api_config.c),
# which this script does not pass unless BENCH_WORKERS asks for another
# count, to compare; and fcgi_static's children: 4, the best count
# PERFORMANCE.md measured for a trivial responder on 2 cores, whatever the
# product runs.
WORKERS=${BENCH_WORKERS:-$(( 4 * $(nproc) < 64 ? 4 * $(nproc) : 64 ))}
CEILING_CHILDREN=4
# bench/stack.sh's user; the repository of 100,000 deployments that the
# reads use (deep), and the one the creates grow (made here).
OWNER=bench
REPO=deep
CREATE_REPO=create
CREATE_HISTORY=100000
# Targets of the extras.
LIST_P99_TARGET_MS=10
HOP_MAX_RATIO=1.5
CASCADE_MAX_RATIO=1.5
CONTEXTS_MIN_RATIO=0.8
# The commit statuses posted (POST /repos/{owner}/{repo}/statuses/{sha},
# state success) on the sha of body/create_deployment.json in the create
# repository, before the first measurement: what a create with
# required_contexts omitted checks.
CONTEXTS=(ci/build ci/test ci/lint security/scan coverage)

# ---------------------------------------------------------------------------
quick=0 keep=0 only="" output="" build_it=1 head=0 profile=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--keep) keep=1; shift ;;
	--no-build) build_it=0; shift ;;
	--head) head=1; shift ;;
	--profile) profile=1; shift ;;
	--profile-only) profile=2 keep=1; shift ;;
	--only) only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--output) output=$2; shift 2 ;;
	--output=*) output=${1#*=}; shift ;;
	-h|--help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
if [ $quick -eq 1 ]; then DUR=3 WARM=1 XDUR=2 PDUR=2; else DUR=10 WARM=2 XDUR=5 PDUR=4; fi
if [ -z "$output" ]; then
	if [ $quick -eq 1 ]; then output="$DEPLOY_SRC/build/bench/performance-quick.md"
	else output="$DEPLOY_SRC/docs/performance.md"; fi
fi

PGBIN=$(pg_bindir)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for c in wrk curl cc perl python3 git "$NGINX" "$PGBIN/pgbench" "$PGBIN/psql"; do
	command -v "$c" >/dev/null || die "$c not found (scripts/lib.sh lists the Debian packages)"
done
[ -f /usr/include/fcgiapp.h ] || die "libfcgi-dev is missing"
[ $profile -eq 0 ] || command -v perf >/dev/null || die "perf not found (Debian package linux-perf)"
MEASURE="$BENCH_DIR/measure.py"

started=$(date +%s)
commit=$(git -C "$DEPLOY_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ $head -eq 1 ]; then
	# HEAD's files, unpacked again only when HEAD moved (make then rebuilds
	# what changed).
	build="$DEPLOY_SRC/build/bench-head/obj"
	tree="$DEPLOY_SRC/build/bench-head/tree"
	if [ $build_it -eq 1 ] && [ "$(cat "$tree/.bench-commit" 2>/dev/null)" != "$commit" ]; then
		rm -rf "$tree"; mkdir -p "$tree"
		git -C "$DEPLOY_SRC" archive HEAD | tar -x -C "$tree" || die "git archive HEAD failed"
		echo "$commit" > "$tree/.bench-commit"
	fi
else
	build="$DEPLOY_SRC/build/bench"
	tree="$DEPLOY_SRC"
fi
bin="$build/src"
if [ $build_it -eq 1 ]; then DEPLOY_SRC="$tree" deploy_build "$build"
else [ -x "$bin/deploy-api" ] && [ -x "$bin/deployctl" ] || die "no binaries in $bin"; fi

# The stack as scripts/run starts it, with bench/provision.sql's data
# (bench/stack.sh sets data, url, token, admin_db and psql_q).
source "$BENCH_DIR/stack.sh"
api_options=()
[ -n "${BENCH_WORKERS:-}" ] && api_options=(--workers "$WORKERS")
bench_stack "$bin" "${api_options[@]}"
port=${url##*:}
mkdir -p "$data/bench" "$data/out"
note "data folder $data"
"$MEASURE" assemble "$data/sql"
cc -O2 -Wall "$BENCH_DIR/fcgi_static.c" -lfcgi -o "$data/bench/fcgi_static" || die "cannot build fcgi_static"

cleaning=0
cleanup() {
	[ $cleaning -eq 1 ] && return
	cleaning=1
	ceilings_stop
	reference_stop
	dispatch_resume
	stack_stop "$data"
	if [ $keep -eq 1 ]; then note "kept $data"; else rm -rf "$data"; fi
}
# The ceiling processes of the endpoint being measured.
ceilings_stop() {
	stop_pidfile "$data/run/ceiling-nginx.pid"
	stop_pidfile "$data/run/fcgi_static.pid"
}
# dispatch_pause / dispatch_resume: the dispatcher (SIGSTOP, SIGCONT) held
# while one request's event is read from the outbox, whose rows it moves
# out as they come, and while one request's statements are logged.
dispatch_pause() {
	[ -f "$data/run/deploy-dispatch.pid" ] && kill -STOP "$(cat "$data/run/deploy-dispatch.pid")"
	return 0
}
dispatch_resume() {
	[ -f "$data/run/deploy-dispatch.pid" ] && kill -CONT "$(cat "$data/run/deploy-dispatch.pid")" 2>/dev/null
	return 0
}

# --- the reference's D (REFERENCE_DIR/README.md, "How D is measured") -------
# reference_start: a scratch cluster of the machine's PostgreSQL in
# DATA/ref, owned as the stack's is (as root, by postgres: scripts/lib.sh
# pg_user), trusting local connections: it has no TCP listener and its
# socket folder is its owner's alone. Then the reference's schema and seed.
ref_dir="$data/ref"
reference_db() { echo "host=$ref_dir/run port=$(cat "$ref_dir/port") dbname=postgres user=postgres"; }
reference_start() {
	local f
	mkdir -p "$ref_dir/pg" "$ref_dir/run"
	free_port > "$ref_dir/port"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$ref_dir/pg" "$ref_dir/run"
	chmod 700 "$ref_dir/pg" "$ref_dir/run"
	as_pg_user "$PGBIN/initdb" -D "$ref_dir/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		> "$data/log/reference-initdb.log" 2>&1 \
		|| { cat "$data/log/reference-initdb.log" >&2; die "initdb of the reference cluster failed"; }
	cat >> "$ref_dir/pg/postgresql.conf" <<CONF
listen_addresses = ''
port = $(cat "$ref_dir/port")
unix_socket_directories = '$ref_dir/run'
unix_socket_permissions = 0700
shared_buffers = 512MB
logging_collector = off
CONF
	as_pg_user "$PGBIN/pg_ctl" -D "$ref_dir/pg" -l "$ref_dir/run/postgres.log" -w -t 60 start >/dev/null \
		|| { tail -n 20 "$ref_dir/run/postgres.log" >&2; die "the reference cluster did not start"; }
	for f in schema.sql seed.sql; do
		"$PGBIN/psql" -X -q -d "$(reference_db)" -v ON_ERROR_STOP=1 -f "$REFERENCE_DIR/$f" >/dev/null \
			|| die "$REFERENCE_DIR/$f failed on the reference cluster"
	done
}
# reference_stop: stopped and removed (its log kept in DATA/log).
reference_stop() {
	[ -d "$ref_dir" ] || return 0
	if [ -f "$ref_dir/pg/postmaster.pid" ]; then
		as_pg_user "$PGBIN/pg_ctl" -D "$ref_dir/pg" -m fast -w stop >/dev/null 2>&1 || true
	fi
	cp "$ref_dir/run/postgres.log" "$data/log/reference-postgres.log" 2>/dev/null || true
	rm -rf "$ref_dir"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

conninfo=$(stack_conninfo "$data")
ctl() { "$bin/deployctl" --db "$conninfo" "$@"; }

# --- provisioning -----------------------------------------------------------
# VARS: every provisioned value, passed to pgbench as -D NAME=VALUE, to the
# wrk scripts as BENCH_VAR_NAME (bench.var), and substituted for {NAME} in
# the endpoints' paths.
declare -A VARS
setvar() { VARS[$1]=$2; }
# body_field FILE FIELD: a top-level string field of a request body.
body_field() {
	perl -MJSON::PP -e 'local $/; open my $f, "<", $ARGV[0] or die; my $j = decode_json(<$f>);
		my $v = $j->{$ARGV[1]}; print defined $v ? (ref $v ? JSON::PP->new->canonical->encode($v) : $v) : ""' \
		"$BENCH_DIR/$1" "$2"
}

# No --git-dir: creating a deployment on these resolves no ref with git (a
# full 40-hex sha is taken as it is), so the create measures no git cost.
# The reads use the deep repository (100,000 deployments), the statuses the
# status repository (its pools and the 100,000 of environment '100000').
ctl repo create "$OWNER/$CREATE_REPO" --default-branch main >/dev/null
for r in list status create deep; do
	case $r in list) name=$REPO ;; create) name=$CREATE_REPO ;; *) name=$r ;; esac
	setvar "${r}_repo" "$name"
	setvar "${r}_repo_id" "$(psql_q "SELECT id FROM repositories WHERE name = '$name'")"
done
TOKEN=$token
TOKEN_HASH=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
USER_ID=$(psql_q "SELECT id FROM users WHERE login = '$OWNER'")
REPO_ID=$(psql_q "SELECT id FROM repositories WHERE name = '$REPO'")
[ "$(psql_q "SELECT count(*) FROM tokens WHERE token_hash = '$TOKEN_HASH'")" = 1 ] \
	|| die "the token's sha256 is not in the tokens table"
setvar token_hash "$TOKEN_HASH"; setvar owner "$OWNER"; setvar repo "$REPO"
setvar user_id "$USER_ID"; setvar repo_id "$REPO_ID"
# What the worker binds where pgbench has no request to take it from.
setvar now "$(date +%s)"                  # the epoch resolve returns
setvar per_page 30; setvar page_offset 0  # page 1 of a list
setvar cascade_production t               # deploy-api without --cascade-skip-production
setvar n 0                                # success: each client's transaction counter
setvar progress_env 1000; setvar succ_env_base 2000   # bench/provision.sql
# create_deployment: the worker's parameters for body/create_deployment.json.
setvar sha "$(body_field body/create_deployment.json ref)"
setvar ref "$(body_field body/create_deployment.json ref)"
setvar task deploy
setvar create_payload "$(body_field body/create_deployment.json payload)"
setvar create_environment "$(body_field body/create_deployment.json environment)"
setvar create_required "$(body_field body/create_unchecked.json required_contexts)"   # "[]"
setvar create_transient f; setvar create_production f; setvar create_auto_merge t
setvar event_deployment deployment
# The statuses: state, description, log_url (also target_url), environment_url.
for s in in_progress success; do
	setvar "${s}_state" "$(body_field "body/status_$s.json" state)"
	setvar "${s}_description" "$(body_field "body/status_$s.json" description)"
	setvar "${s}_log_url" "$(body_field "body/status_$s.json" log_url)"
	setvar "${s}_environment_url" "$(body_field "body/status_$s.json" environment_url)"
	setvar "${s}_auto_inactive" t
done

# The create repository's history: as the deep repository's (bench/provision.sql),
# a day older, inserted as the tables' owner.
owner_q() { "$PGBIN/psql" -X -d "$(stack_conninfo "$data" deploy_owner)" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
note "inserting $CREATE_HISTORY deployments into $OWNER/$CREATE_REPO"
owner_q "INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT ${VARS[create_repo_id]}, substr(md5(g::text) || md5(g::text), 1, 40), 'main', 'deploy',
       '{\"k\":\"v\"}', e, e, 'Benchmark deployment ' || g, $USER_ID, false, e = 'production',
       NULL, true, CASE WHEN g > $CREATE_HISTORY - 3 THEN 'success' ELSE 'inactive' END,
       now() - interval '1 day' - ($CREATE_HISTORY - g) * interval '1 second',
       now() - interval '1 day' - ($CREATE_HISTORY - g) * interval '1 second'
  FROM generate_series(1, $CREATE_HISTORY) g,
       LATERAL (SELECT (ARRAY['production', 'staging', 'qa'])[g % 3 + 1] AS e) x
 ORDER BY g" >/dev/null
owner_q "VACUUM ANALYZE deployments" >/dev/null
# env_first REPO_ID ENV: the first id of an environment, after checking that
# its ids are consecutive.
env_first() {
	local row
	row=$(psql_q "SELECT min(id), max(id) - min(id) + 1 = count(*) FROM deployments
		WHERE repository_id = $1 AND environment = '$2'")
	[ "${row#*|}" = t ] || die "the ids of environment $2 are not consecutive"
	echo "${row%|*}"
}
sid=${VARS[status_repo_id]}
# status_in_progress: the first deployment of the "pending" pool, alone in
# its environment; status_success: the first pair of the "success" pool.
setvar progress_dep "$(env_first "$sid" 1000)"
[ "$(psql_q "SELECT count(*) FROM deployments WHERE repository_id = $sid AND environment = '1000'")" = 1 ] \
	|| die "environment 1000 is not laid out as bench/provision.sql says"
setvar succ_base "$(env_first "$sid" 2000)"
[ "$(psql_q "SELECT string_agg(coalesce(latest_state, '-'), ',' ORDER BY id) FROM deployments
	WHERE repository_id = $sid AND environment = '2000'")" = "inactive,success" ] \
	|| die "environment 2000 is not laid out as bench/provision.sql says"
for e in 10 100000; do
	first=$(env_first "$sid" "$e")
	[ "$(psql_q "SELECT count(*), count(*) FILTER (WHERE latest_state = 'success'),
		max(id) FILTER (WHERE latest_state = 'success') FROM deployments
		WHERE repository_id = $sid AND environment = '$e'")" = "$e|1|$((first + e - 1))" ] \
		|| die "environment $e is not laid out as bench/provision.sql says"
	setvar "hist${e}_base" $((first + e - 2))   # the A of its last pair
done
setvar list_status_dep "$(psql_q "SELECT id FROM deployments WHERE repository_id = $sid AND environment = 'staging'")"
setvar get_dep "$(psql_q "SELECT id FROM deployments WHERE repository_id = ${VARS[list_repo_id]} ORDER BY id OFFSET 50000 LIMIT 1")"
for r in list_repo_id deep_repo_id create_repo_id; do
	[ "$(psql_q "SELECT count(*) FROM deployments WHERE repository_id = ${VARS[$r]}")" = 100000 ] \
		|| die "repository ${r%_id} does not have 100,000 deployments"
done

# The commit statuses of the create's sha, through the API (src/h_commit_statuses.c).
note "posting ${#CONTEXTS[@]} commit statuses on ${VARS[sha]}"
for ctx_name in "${CONTEXTS[@]}"; do
	code=$(curl -s -o "$data/out/commit-status.json" -w '%{http_code}' -X POST \
		-H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json" \
		-H "Content-Type: application/json" \
		--data-binary "{\"state\":\"success\",\"context\":\"$ctx_name\",\"description\":\"Passed\",\"target_url\":\"https://ci.example.com/builds/1\"}" \
		"http://127.0.0.1:$port/api/v3/repos/$OWNER/${VARS[create_repo]}/statuses/${VARS[sha]}")
	[ "$code" = 201 ] || { cat "$data/out/commit-status.json" >&2; die "POST statuses/${VARS[sha]} ($ctx_name) answered $code"; }
done
# contexts_latest: "contexts|of them success" on the create's sha.
contexts_latest() {
	psql_q "SELECT count(*), count(*) FILTER (WHERE state = 'success') FROM (
		SELECT DISTINCT ON (context) context, state FROM commit_statuses
		 WHERE repository_id = ${VARS[create_repo_id]} AND sha = '${VARS[sha]}'
		 ORDER BY context, id DESC) l"
}
[ "$(contexts_latest)" = "${#CONTEXTS[@]}|${#CONTEXTS[@]}" ] \
	|| die "the create's sha does not have ${#CONTEXTS[@]} contexts, all success ($(contexts_latest))"
setvar contexts_n "${#CONTEXTS[@]}"

export BENCH_TOKEN=$TOKEN BENCH_OWNER=$OWNER BENCH_REPO=$REPO BENCH_DIR BENCH_LUA_DIR="$BENCH_DIR/lua"
# export_vars: the short values, for the wrk scripts.
export_vars() {
	local k
	for k in "${!VARS[@]}"; do
		[ ${#VARS[$k]} -le 256 ] && export "BENCH_VAR_$k=${VARS[$k]}"
	done
	return 0
}
export_vars
# pgbench_vars: -D NAME=VALUE for every value but the empty ones, which
# pgbench refuses (a script needing one writes the literal, see
# sql/status_in_progress.sql).
pgbench_vars() {
	local k
	for k in "${!VARS[@]}"; do
		[ -n "${VARS[$k]}" ] && printf '%s\0' -D "$k=${VARS[$k]}"
	done
	return 0
}
# fill_path PATH: {NAME} replaced by VARS[NAME].
fill_path() {
	local p=$1 k
	for k in "${!VARS[@]}"; do p=${p//\{$k\}/${VARS[$k]}}; done
	[[ "$p" != *'{'* ]] || die "unknown placeholder in $p"
	echo "$p"
}

# --- measuring helpers -----------------------------------------------------
# cpu_groups: GROUP=PID for every process tree of ours running now.
cpu_groups() {
	echo "api=$(cat "$data/run/deploy-api.pid")" "pg=$(head -n 1 "$data/pg/postmaster.pid")" \
		"nginx=$(cat "$data/run/nginx.master.pid")"
	[ -f "$data/run/ceiling-nginx.pid" ] && echo "cnginx=$(cat "$data/run/ceiling-nginx.pid")"
	[ -f "$data/run/fcgi_static.pid" ] && echo "fcgi=$(cat "$data/run/fcgi_static.pid")"
	[ -f "$data/run/deploy-dispatch.pid" ] && echo "dispatch=$(cat "$data/run/deploy-dispatch.pid")"
	[ -f "$data/ref/pg/postmaster.pid" ] && echo "ref=$(head -n 1 "$data/ref/pg/postmaster.pid")"
	return 0
}
# cpu_edge: the machine's CPU counters and the CPU of this shell's finished
# children (the times builtin: wrk or pgbench, which run as its children),
# read with builtins, so that no process starts or ends inside the window.
cpu_edge() {
	local counters
	read -r counters < /proc/stat
	echo "$counters"
	times
}
# cpu_start / cpu_stop KEY: the edges of one measurement, with each process
# tree's CPU taken outside the window (the stack is idle there), and the CPU
# spent over it into cpu.tsv.
cpu_start() {
	# shellcheck disable=SC2046
	"$MEASURE" cpu-snapshot $(cpu_groups) > "$data/cpu.before"
	cpu_edge >> "$data/cpu.before"
}
cpu_stop() {
	cpu_edge > "$data/cpu.after"
	# shellcheck disable=SC2046
	"$MEASURE" cpu-snapshot $(cpu_groups) >> "$data/cpu.after"
	"$MEASURE" cpu-record "$1" "$data/cpu.before" "$data/cpu.after" >> "$data/cpu.tsv"
}

# run_wrk KEY C URL LUA [THREADS [SECONDS]]: one wrk run (2 threads and DUR
# seconds unless told), its result appended to results.tsv as
#   KEY  C  rps  p50_us  p90_us  p99_us  errors  requests
# Variables set on the call (BENCH_VAR_succ_base=ID run_wrk ...) reach the Lua script.
run_wrk() {
	local key=$1 c=$2 url=$3 lua=$4 threads=${5:-2} secs=${6:-$DUR}
	local raw="$data/out/${1//\//-}-c$2.wrk" summary
	cpu_start
	wrk -t"$threads" -c"$c" -d"${secs}s" --latency -s "$lua" "$url" > "$raw" 2>&1 || true
	cpu_stop "$key c$c"
	if summary=$("$MEASURE" wrk-result "$key" "$c" "$raw" "$data/results.tsv"); then note "$key c$c: $summary"; fi
}

# run_pgbench KEY C SQL [SECONDS [pgbench options...]]: tps, average
# latency (us), failures and transactions into results.tsv; every value of
# VARS is a variable, and the options given (e.g. -D NAME=VALUE, which win)
# come after them. Clients that aborted (an error in the script) count as
# failures.
run_pgbench() {
	local key=$1 c=$2 sql=$3 secs=${4:-$DUR} vars=()
	shift $(( $# < 4 ? $# : 4 ))
	mapfile -d '' vars < <(pgbench_vars)
	pgbench_on "$admin_db" "$key" "$c" "$sql" "$secs" "${vars[@]}" "$@"
}
# pgbench_on DB KEY C SQL SECONDS [pgbench options...]: one pgbench run on
# DB (the product's database, or the reference's scratch cluster).
pgbench_on() {
	local db=$1 key=$2 c=$3 sql=$4 secs=$5 raw="$data/out/${2//\//-}-c$3.pgbench" summary
	local threads=$(( c < 2 ? c : 2 ))
	shift 5
	cpu_start
	"$PGBIN/pgbench" -n -M prepared -T "$secs" -j "$threads" -c "$c" -f "$sql" "$@" \
		"$db" > "$raw" 2>&1 || true
	cpu_stop "$key c$c"
	if summary=$("$MEASURE" pgbench-result "$key" "$c" "$raw" "$data/results.tsv"); then note "$key c$c: $summary"; fi
}

# Probes: counts taken around a measurement, their difference appended to
# probes.tsv as KEY C VALUE1 VALUE2. For the success statuses, the success
# and inactive statuses written: one inactive per success is a cascade of
# one. For the creates, the deployments and the outbox rows inserted in the
# create repository: one each per request or transaction (a checked create
# whose check fails inserts nothing and answers 409, which wrk counts as an
# error; pgbench would not notice) and the environments they named: one
# new one per create. (The dispatcher moves the outbox's rows out as they
# come: they cannot be counted here.)
probe_statuses() {
	psql_q "SELECT count(*) FILTER (WHERE state = 'success'), count(*) FILTER (WHERE state = 'inactive')
		FROM deployment_statuses" | tr '|' ' '
}
probe_creates() {
	psql_q "SELECT count(*), count(DISTINCT environment) FROM deployments
		WHERE repository_id = ${VARS[create_repo_id]}" | tr '|' ' '
}
declare -A PROBES=([status_success]=probe_statuses [cascade_cost]=probe_statuses
	[create_deployment]=probe_creates [create_unchecked]=probe_creates [contexts_check]=probe_creates)
declare -A PROBE_WHAT=([probe_statuses]="success statuses, %s inactive (cascade)"
	[probe_creates]="deployments inserted, %s new environments")
probe_start() { local f=${PROBES[${1%%/*}]:-}; [ -n "$f" ] && $f > "$data/probe.before"; return 0; }
probe_stop() {
	local f=${PROBES[${1%%/*}]:-} a b
	[ -n "$f" ] || return 0
	read -r -a b < "$data/probe.before"
	read -r -a a < <($f)
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" $(( a[0] - b[0] )) $(( a[1] - b[1] )) >> "$data/probes.tsv"
	# shellcheck disable=SC2059
	note "$1 c$2: $(( a[0] - b[0] )) $(printf "${PROBE_WHAT[$f]}" $(( a[1] - b[1] )))"
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
	dispatch_pause
	size=$(stat -c %s "$log")
	psql_q "ALTER SYSTEM SET log_min_duration_statement = 0" && psql_q "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	args=(-s -o /dev/null -X "$method" -H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json")
	[ "$body" != "-" ] && args+=(--data-binary "@$BENCH_DIR/$body" -H "Content-Type: application/json")
	curl "${args[@]}" "$url" || true
	sleep 0.2
	psql_q "ALTER SYSTEM RESET log_min_duration_statement" && psql_q "SELECT pg_reload_conf()" >/dev/null
	dispatch_resume
	"$MEASURE" worker-statements "$log" "$size" > "$out"
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

# wait_2xx METHOD URL SECONDS: until URL answers METHOD with a 2xx (the
# ceilings replay the endpoint's status, 201 for a create).
wait_2xx() {
	local i
	for i in $(seq 1 $(( $3 * 10 ))); do
		case "$(curl -s -o /dev/null -w '%{http_code}' -X "$1" "$2")" in 2*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# after_capture NAME: what an endpoint's pgbench script needs from the
# request capture just made, the dispatcher held (it would move the row
# out): the base URLs that the worker wrote in its event's lean outbox row
# (sql/0014), from which the dispatcher renders the webhook body.
after_capture() {
	local event row api web
	case "$1" in
	create_deployment|create_unchecked) event=deployment ;;
	status_in_progress|status_success) event=deployment_status ;;
	*) return 0 ;;
	esac
	row=$(psql_q "SELECT api_url, web_url FROM outbox WHERE event = '$event' ORDER BY id DESC LIMIT 1")
	IFS='|' read -r api web <<<"$row"
	if [ -z "$api" ] || [ -z "$web" ]; then die "$1: no $event event with its base URLs in the outbox"; fi
	setvar api_url "$api"; setvar web_url "$web"
}

# perf_texts NAME PERFDATA: the flat (self time) tables the report shows.
perf_texts() {
	local name=$1 pd=$2
	perf report -i "$pd" --stdio --no-children --sort comm --percent-limit 1 2>/dev/null \
		| grep -E '^ +[0-9]' > "$data/out/$name-perf-comm.txt" || true
	perf report -i "$pd" --stdio --no-children --comms deploy-api --percentage relative --sort dso,sym \
		--percent-limit 1 2>/dev/null | grep -E '^ +[0-9]' > "$data/out/$name-perf-api.txt" || true
	perf report -i "$pd" --stdio --no-children --comms postgres --percentage relative --sort dso,sym \
		--percent-limit 1 2>/dev/null | grep -E '^ +[0-9]' > "$data/out/$name-perf-pg.txt" || true
}

# our_pids: the processes of the stack (deploy-api and its workers,
# PostgreSQL and its backends, the stack's nginx), comma-separated.
our_pids() {
	"$MEASURE" tree-pids "$(cat "$data/run/deploy-api.pid")" "$(head -n 1 "$data/pg/postmaster.pid")" \
		"$(cat "$data/run/nginx.master.pid")"
}

# profile_endpoint NAME URL LUA: perf samples the stack's own processes
# (-p: not other people's jobs on this machine, which may well run
# deploy-api and postgres too), 997 Hz, no call graphs (the flat self time
# of each function; BENCH_PERF_OPTS replaces "-F 997", e.g.
# "-F 499 --call-graph dwarf,8192"), for PDUR seconds while wrk drives the
# endpoint at C=16; out/NAME-perf-*.txt are what the report shows: the
# processes, then deploy-api's and postgres's functions; out/NAME.perf is
# perf's own file, for perf report (kept with the data folder).
profile_endpoint() {
	local name=$1 url=$2 lua=$3 pd="$data/out/$1.perf" wrk_pid
	wrk -t2 -c16 -d"$(( PDUR + 2 ))s" -s "$lua" "$url" > "$data/out/$name-perf.wrk" 2>&1 &
	wrk_pid=$!
	sleep 1
	# shellcheck disable=SC2086
	perf record ${BENCH_PERF_OPTS:--F 997} -p "$(our_pids)" -o "$pd" -- sleep "$PDUR" > "$data/log/perf-$name.log" 2>&1 || true
	wait "$wrk_pid" || true
	[ -s "$pd" ] || { note "$name: perf recorded nothing (see $data/log/perf-$name.log)"; return 0; }
	perf_texts "$name" "$pd"
	echo "perf record ${BENCH_PERF_OPTS:--F 997} -p (the stack's processes) for $PDUR s while wrk drove the endpoint at C=16" > "$data/out/$name-perf.how"
	echo "$PDUR" > "$data/out/$name-perf.seconds"
	note "$name: profiled ($data/out/$name-perf-*.txt)"
}

selected() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

# analyze_after_warmup: a write's warm-up grew its tables (each create
# opens an environment: the environments table goes from a few hundred
# rows to thousands in seconds); the statistics autovacuum keeps once it
# has caught up (it wakes every 10 s here, scripts/lib.sh), rather than the
# plans of a table that was small a second ago.
analyze_after_warmup() { psql_q "ANALYZE" >/dev/null; }

# --- the run ---------------------------------------------------------------
: > "$data/results.tsv"
: > "$data/cpu.tsv"
: > "$data/endpoints.tsv"
: > "$data/probes.tsv"
: > "$data/extras.env"
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

# reference_measure: D_ref, pgbench on the scratch cluster at each of
# REFERENCE_CLIENTS for each reference script that a selected endpoint
# names (results.tsv: reference/SCRIPT), before the product is measured;
# the cluster is removed after, so that it never runs beside the product.
# The ids of status.sql and cascade.sql are the seed's (the README, step 3).
reference_measure() {
	local scripts=() entry name ref f c db did pair
	for entry in "${ENDPOINTS[@]}"; do
		IFS='|' read -r name _ _ _ _ ref _ <<<"$entry"
		selected "$name" && [ "$ref" != - ] && [[ " ${scripts[*]} " != *" $ref "* ]] && scripts+=("$ref")
	done
	[ ${#scripts[@]} -gt 0 ] || return 0
	[ -f "$REFERENCE_DIR/schema.sql" ] || die "no reference statements in $REFERENCE_DIR (BENCH_REFERENCE_DIR)"
	note "reference: a scratch cluster with the schema and seed of $REFERENCE_DIR"
	reference_start
	db=$(reference_db)
	did=$("$PGBIN/psql" -X -Atq -d "$db" -c "SELECT id FROM deployments WHERE environment = 'perf-status'")
	pair=$("$PGBIN/psql" -X -Atq -d "$db" -c "SELECT string_agg(id::text, ' ' ORDER BY id) FROM deployments
		WHERE environment = 'perf-cascade'")
	[[ "$did" =~ ^[0-9]+$ && "$pair" =~ ^[0-9]+\ [0-9]+$ ]] || die "the reference seed has no perf-status or perf-cascade pair"
	extra reference_did="$did" reference_pair="$pair"
	for f in "${scripts[@]}"; do
		for c in "${REFERENCE_CLIENTS[@]}"; do
			pgbench_on "$db" "reference/${f%.sql}" "$c" "$REFERENCE_DIR/$f" "$DUR" \
				-D did="$did" -D a="${pair% *}" -D b="${pair#* }" -D k=0
		done
	done
	reference_stop
}
# extra NAME=VALUE...: facts for the report (extras.env).
extra() { local kv; for kv in "$@"; do printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"; done >> "$data/extras.env"; }

[ $profile -eq 2 ] || reference_measure
for entry in "${ENDPOINTS[@]}"; do
	IFS='|' read -r name method path lua sql reference body target title <<<"$entry"
	selected "$name" || continue
	path=$(fill_path "$path")
	note "endpoint $name: $method $path"
	dir="$data/ceiling-$name"
	mkdir -p "$dir"
	dispatch_pause
	capture "$name" "$method" "http://127.0.0.1:$port$path" "$body" "$dir"
	after_capture "$name"
	dispatch_resume
	if [ $profile -eq 2 ]; then
		wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/$lua" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
		profile_endpoint "$name" "http://127.0.0.1:$port$path" "$BENCH_DIR/$lua"
		continue
	fi
	bytes=$(wc -c < "$dir/root/body")
	hbytes=$(wc -c < "$dir/headers.raw")

	# The ceilings for this endpoint's bytes.
	sport=$(free_port); fport=$(free_port)
	while [ "$fport" = "$sport" ]; do fport=$(free_port); done
	write_ceiling_config "$name" "$dir" "$sport" "$fport"
	"$data/bench/fcgi_static" "$data/run/fcgi_static.sock" "$CEILING_CHILDREN" "$dir/response.cgi" \
		>>"$data/log/fcgi_static.log" 2>&1 &
	echo $! > "$data/run/fcgi_static.pid"
	"$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$data/log/ceiling-nginx-error.log" \
		>>"$data/log/ceiling-nginx.log" 2>&1 &
	echo $! > "$data/run/ceiling-nginx.pid"
	for u in "http://127.0.0.1:$sport$path" "http://127.0.0.1:$fport$path"; do
		wait_2xx "$method" "$u" 10 || { cat "$data/log/ceiling-nginx-error.log" "$data/log/fcgi_static.log" >&2; die "$name: no answer from $u"; }
		[ "$(curl -s -X "$method" "$u" | md5sum)" = "$(md5sum < "$dir/root/body")" ] \
			|| die "$name: $u does not answer the endpoint's body"
	done

	# Warm up (workers' prepared statements, nginx, PostgreSQL caches).
	wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/$lua" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
	wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/$lua" "http://127.0.0.1:$fport$path" >/dev/null 2>&1 || true
	sql_match=$(check_sql "$name" "$method" "http://127.0.0.1:$port$path" "$body" "$data/$sql")
	[ "$method" = GET ] || analyze_after_warmup

	for c in "${CONCURRENCIES[@]}"; do
		probe_start "$name"
		run_wrk "$name/endpoint" "$c" "http://127.0.0.1:$port$path" "$BENCH_DIR/$lua"
		probe_stop "$name/endpoint" "$c"
		run_wrk "$name/static" "$c" "http://127.0.0.1:$sport$path" "$BENCH_DIR/$lua"
		run_wrk "$name/libfcgi" "$c" "http://127.0.0.1:$fport$path" "$BENCH_DIR/$lua"
		probe_start "$name"
		run_pgbench "$name/pgbench" "$c" "$data/$sql"
		probe_stop "$name/pgbench" "$c"
	done
	# A write can wait on locks (a status's environment lock; until
	# sql/0006 dropped the outbox's NOTIFY trigger, also the lock NOTIFY
	# took at commit), so pgbench at C clients can queue more than the
	# workers' WORKERS connections ever do. D at WORKERS clients gives a
	# second, fairer ceiling for writes.
	if [ "$method" != GET ]; then
		probe_start "$name"
		run_pgbench "$name/pgbench" "$WORKERS" "$data/$sql"
		probe_stop "$name/pgbench" "$WORKERS"
	fi
	ceilings_stop
	[ $profile -ge 1 ] && profile_endpoint "$name" "http://127.0.0.1:$port$path" "$BENCH_DIR/$lua"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$method" "$path" "$lua" "$sql" \
		"$target" "$title" "$bytes" "$hbytes" "$sql_match" "$reference" >> "$data/endpoints.tsv"
done

api="http://127.0.0.1:$port/api/v3/repos/$OWNER"

# list_latency: p99 of the list at half the peak rate the endpoint reached
# above. wrk has no rate option (wrk2 is not packaged for Debian), so two
# approximations, both reported as such: lua/paced.lua (a fixed schedule
# through wrk's delay() hook, 16 connections), and a closed loop at 4
# connections, with the rate each achieved.
run_extra_list_latency() {
	local url="$api/${VARS[list_repo]}/deployments" peak rate
	peak=$("$MEASURE" peak "$data/results.tsv" list_deployments/endpoint)
	if [ "${peak:-0}" -le 0 ]; then
		note "list_latency: no peak rate (run list_deployments in the same run); skipped"
		return 0
	fi
	rate=$(( peak / 2 ))
	extra list_peak="$peak" list_rate="$rate" list_duration="$DUR"
	BENCH_PACED_SCRIPT=get.lua BENCH_RATE=$rate BENCH_THREADS=2 \
		run_wrk list_latency/paced 16 "$url" "$BENCH_DIR/lua/paced.lua"
	run_wrk list_latency/closed 4 "$url" "$BENCH_DIR/lua/get.lua"
}

# link_next URL: the rel="next" URL of a response's Link header.
link_next() {
	curl -s -D - -o /dev/null -H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json" "$1" \
		| tr -d '\r' | sed -n 's/^[Ll]ink: //p' | tr ',' '\n' | sed -n 's/.*<\([^>]*\)>; rel="next".*/\1/p'
}
get_body() {
	curl -s -H "Authorization: token $TOKEN" -H "Accept: application/vnd.github+json" "$1"
}

# deep_hop: the next link of page 1 (to page 2) and the next link of page
# 999 (to page 1,000) of the 100,000-deployment repository, per_page 100,
# each timed with one connection for XDUR seconds; page 1,000 asked for by
# number (OFFSET 99,900) for comparison; and PostgreSQL's own time for the
# list statement of each (EXPLAIN ANALYZE, median of 5).
run_extra_deep_hop() {
	local base="$api/${VARS[deep_repo]}/deployments?per_page=100" hop2 hop1000 offset1000 k u
	hop2=$(link_next "$base")
	hop1000=$(link_next "$base&page=999")
	offset1000="$base&page=1000"
	[[ "$hop2" == *"page=2&last_id="* ]] || die "deep_hop: page 1 has no next link with last_id ($hop2)"
	[[ "$hop1000" == *"page=1000&last_id="* ]] || die "deep_hop: page 999 has no next link to page 1000 ($hop1000)"
	[ "$(get_body "$hop1000" | md5sum)" = "$(get_body "$offset1000" | md5sum)" ] \
		|| die "deep_hop: the next link to page 1000 and page=1000 answer different pages"
	[ "$(get_body "$hop1000" | grep -o '"task":' | wc -l)" = 100 ] || die "deep_hop: page 1000 does not have 100 items"
	extra hop2_url="$hop2" hop1000_url="$hop1000" offset1000_url="$offset1000" hop_duration="$XDUR"
	for k in hop2 hop1000 offset1000; do
		u=${!k}
		wrk -t1 -c1 -d1s -s "$BENCH_DIR/lua/get.lua" "$u" >/dev/null 2>&1 || true
		run_wrk "deep_hop/$k" 1 "$u" "$BENCH_DIR/lua/get.lua" 1 "$XDUR"
		extra "${k}_db_ms=$(explain_list "$u")"
	done
}

# explain_list URL: the median over 5 runs of PostgreSQL's execution time
# (ms) of the list statement for URL's per_page, page and last_id.
explain_list() {
	local q=${1#*\?} per page last off
	per=$(sed -n 's/.*per_page=\([0-9]*\).*/\1/p' <<<"$q"); per=${per:-30}
	page=$(sed -n 's/.*[?&]\{0,1\}\bpage=\([0-9]*\).*/\1/p' <<<"&$q"); page=${page:-1}
	last=$(sed -n 's/.*last_id=\([0-9]*\).*/\1/p' <<<"$q")
	if [ -n "$last" ]; then off=0; else off=$(( (page - 1) * per )); last=NULL; fi
	for _ in 1 2 3 4 5; do
		psql_q "EXPLAIN (ANALYZE, FORMAT JSON) SELECT c.total, p.* FROM (SELECT count(*) AS total
			FROM deployments x WHERE x.repository_id = ${VARS[deep_repo_id]}) c LEFT JOIN LATERAL
			(SELECT d.* FROM deployments d JOIN users u ON u.id = d.creator_id
			  WHERE d.repository_id = ${VARS[deep_repo_id]}
			    AND d.id < COALESCE($last::bigint, 9223372036854775807)
			  ORDER BY d.id DESC LIMIT $per OFFSET $off) p ON true" \
			| sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p'
	done | sort -n | sed -n 3p
}

# cascade_cost: a success status alternating between the last two
# deployments (A, B) of environment '10' and of environment '100000' (all
# 'inactive' but one): each request deactivates the other. One connection,
# XDUR seconds each, through the endpoint (wrk) and as SQL (pgbench,
# sql/status_success.sql at one client), with the cascades counted.
run_extra_cascade_cost() {
	local e a url
	[ -n "${VARS[api_url]:-}" ] \
		|| die "cascade_cost needs the base URLs that status_success reads from its event: run both (--only status_success,cascade_cost)"
	for e in 10 100000; do
		a=${VARS[hist${e}_base]}
		url="$api/${VARS[status_repo]}/deployments/$a/statuses"
		extra "cascade${e}_a=$a"
		BENCH_VAR_succ_base=$a wrk -t1 -c1 -d1s -s "$BENCH_DIR/lua/status_success.lua" "$url" >/dev/null 2>&1 || true
		probe_start cascade_cost
		BENCH_VAR_succ_base=$a \
			run_wrk "cascade_cost/endpoint$e" 1 "$url" "$BENCH_DIR/lua/status_success.lua" 1 "$XDUR"
		probe_stop "cascade_cost/endpoint$e" 1
		probe_start cascade_cost
		run_pgbench "cascade_cost/pgbench$e" 1 "$data/sql/status_success.sql" "$XDUR" \
			-D succ_base="$a" -D succ_env_base="$e"
		probe_stop "cascade_cost/pgbench$e" 1
	done
}

# contexts_check: the create that checks the commit's statuses
# (create_deployment: required_contexts omitted, so
# deployment_create_check_all reads the latest status of each of the
# CONTEXTS, all success) against the create that checks nothing
# (create_unchecked: required_contexts [], deployment_create), same
# repository, same sha, same body otherwise. The two alternate at each C
# (unchecked, checked, unchecked, checked; XDUR seconds each, after a warm-up
# of each), so that both share whatever else the machine is doing; a
# variant's req/s is the mean of its two runs. check_sql confirms which
# statement each body runs.
run_extra_contexts_check() {
	local url="$api/${VARS[create_repo]}/deployments" c i v
	[ "$(contexts_latest)" = "${#CONTEXTS[@]}|${#CONTEXTS[@]}" ] || die "contexts_check: the sha's statuses changed"
	extra contexts_n="${#CONTEXTS[@]}" contexts_names="${CONTEXTS[*]}" contexts_duration="$XDUR"
	extra contexts_sql_checked="$(check_sql contexts_check-checked POST "$url" body/create_deployment.json "$data/sql/create_deployment.sql")"
	extra contexts_sql_unchecked="$(check_sql contexts_check-unchecked POST "$url" body/create_unchecked.json "$data/sql/create_unchecked.sql")"
	for v in unchecked deployment; do
		wrk -t2 -c16 -d"${WARM}s" -s "$BENCH_DIR/lua/create_$v.lua" "$url" >/dev/null 2>&1 || true
	done
	analyze_after_warmup
	for c in "${CONCURRENCIES[@]}"; do
		for i in 1 2; do
			for v in unchecked checked; do
				probe_start contexts_check
				run_wrk "contexts_check/$v$i" "$c" "$url" \
					"$BENCH_DIR/lua/create_$([ $v = checked ] && echo deployment || echo unchecked).lua" 2 "$XDUR"
				probe_stop "contexts_check/$v$i" "$c"
			done
		done
	done
}

if [ $profile -eq 2 ]; then
	note "profiles in $data/out (--profile-only: no report)"
	exit 0
fi
for x in "${EXTRAS[@]}"; do
	selected "$x" || continue
	note "extra $x"
	"run_extra_$x"
done

loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(( $(date +%s) - started ))
{
	for v in quick DUR XDUR WORKERS CEILING_CHILDREN elapsed loadavg_before loadavg_after run_date head \
		LIST_P99_TARGET_MS HOP_MAX_RATIO CASCADE_MAX_RATIO CONTEXTS_MIN_RATIO; do
		printf '%s=%q\n' "$v" "${!v}"
	done
	printf 'CONCURRENCIES=(%s)\n' "${CONCURRENCIES[*]}"
	printf 'REFERENCE_CLIENTS=(%s)\n' "${REFERENCE_CLIENTS[*]}"
	printf 'REFERENCE_DIR=%q\n' "$REFERENCE_DIR"
	printf 'commit=%q\n' "$commit"
	if [ $head -eq 1 ]; then echo dirty=no
	else printf 'dirty=%q\n' "$(git -C "$DEPLOY_SRC" status --porcelain -- src sql 2>/dev/null | grep -q . && echo yes || echo no)"; fi
	for v in list_repo status_repo deep_repo create_repo; do printf '%s=%q\n' "$v" "${VARS[$v]}"; done
} > "$data/meta.env"
"$MEASURE" report "$data" "$output"
note "wrote $output (run took ${elapsed} s)"
