# Sourced by the benchmarks that measure the stack as scripts/run starts it
# (bench/run.sh, graphql.sh, lists.sh, memory.sh): bench_stack BIN [deploy-api
# options] starts it in a new data folder (dispatcher on, default options
# but those, --base-url) and provisions
# user bench with a token of budget to spare and the repositories of
# bench/provision.sql: list (1,000 deployments), status, deep (100,000,
# older than status's). It sets data, url, token, admin_db and psql_q(),
# and stops the stack on exit.
PGBIN=$(pg_bindir)

# bench_options "$@": --bin DIR (binaries built elsewhere; default: build
# them in build/bench), --output FILE (default docs/performance.md),
# --quick (BENCH_QUICK=1: shorter, for trying the script), --help (the
# script's opening comment). Sets bin and output.
bench_options() {
	bin= output="$DEPLOY_SRC/docs/performance.md" BENCH_QUICK=0
	while [ $# -gt 0 ]; do
		case "$1" in
		--bin) bin=$2; shift 2 ;;
		--output) output=$2; shift 2 ;;
		--quick) BENCH_QUICK=1; shift ;;
		-h|--help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown argument $1 (see --help)" ;;
		esac
	done
	if [ -z "$bin" ]; then
		deploy_build "$DEPLOY_SRC/build/bench"
		bin="$DEPLOY_SRC/build/bench/src"
	fi
}

bench_stack() {
	local bin=$1 port conninfo repo
	shift
	data=$(mktemp -d /tmp/deploy-bench.XXXXXX)
	trap 'stack_stop "$data"; rm -rf "$data"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	port=$(free_port)
	url="http://127.0.0.1:$port"
	DEPLOY_WITH_DISPATCH=1 stack_start "$data" "$bin" "$port" --base-url "$url" "$@"
	conninfo=$(stack_conninfo "$data")
	admin_db=$(stack_conninfo "$data" deploy_admin)
	"$bin/deployctl" --db "$conninfo" user create bench >/dev/null
	for repo in list status deep; do
		"$bin/deployctl" --db "$conninfo" repo create "bench/$repo" --default-branch main >/dev/null
	done
	token=$("$bin/deployctl" --db "$conninfo" token create bench --scopes repo --rate-limit 1000000000)
	note "inserting deployments (bench/provision.sql)"
	"$PGBIN/psql" -X -q -d "$admin_db" -v ON_ERROR_STOP=1 \
		-v user_id="$(psql_q "SELECT id FROM users WHERE login = 'bench'")" \
		-v list_repo_id="$(psql_q "SELECT id FROM repositories WHERE name = 'list'")" \
		-v status_repo_id="$(psql_q "SELECT id FROM repositories WHERE name = 'status'")" \
		-v deep_repo_id="$(psql_q "SELECT id FROM repositories WHERE name = 'deep'")" \
		-f "$BENCH_DIR/provision.sql" >/dev/null || die "bench/provision.sql failed"
}

psql_q() { "$PGBIN/psql" -X -d "$admin_db" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
