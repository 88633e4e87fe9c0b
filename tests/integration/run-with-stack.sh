#!/usr/bin/env bash
# Runs one integration test program against a private stack (PostgreSQL,
# deploy-api, nginx) in a throwaway data folder, then stops the stack.
# Usage: run-with-stack.sh PROGRAM [deploy-api options...]
# With DEPLOY_TLS=1 nginx serves HTTPS (DEPLOY_CA: the CA to trust) and
# deploy-api has no --base-url: its URLs come from nginx's server name,
# port and HTTPS parameter, so https://localhost:PORT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEPLOY_SRC=${DEPLOY_SRC:-$(cd "$here/../.." && pwd)}
source "$DEPLOY_SRC/scripts/lib.sh"

program=$1; shift
bin=${DEPLOY_BIN:-$(cd "$(dirname "$program")/../../src" && pwd)}
data=$(mktemp -d /tmp/deploy-test.XXXXXX)
chmod 755 "$data"
port=$(free_port)

cleanup() {
	local status=$?
	stack_stop "$data"
	if stack_reports "$data" >&2; then
		echo "--- FAIL: the stack's logs above hold sanitizer reports or crashes" >&2
		status=1
	fi
	if [ "${DEPLOY_KEEP_DATA:-}" = 1 ]; then
		echo "kept $data" >&2
	else
		rm -rf "$data"
	fi
	exit $status
}
trap cleanup EXIT

# The tests' webhook receivers listen on 127.0.0.1; URLs in responses and
# payloads are the stack's own, whatever Host a test sends.
export DEPLOY_HOOK_ALLOWED_HOSTS=${DEPLOY_HOOK_ALLOWED_HOSTS:-external,loopback}
if [ "$(stack_scheme)" = https ]; then
	url="https://localhost:$port"
	stack_start "$data" "$bin" "$port" --workers 4 "$@"
	export DEPLOY_CA="$data/tls/ca.pem"
else
	url="http://127.0.0.1:$port"
	stack_start "$data" "$bin" "$port" --workers 4 --base-url "$url" "$@"
fi
# DEPLOY_DB: the programs' role (deploy_app); DEPLOY_DB_OWNER: the owner
# of the schema, for tests' own fixtures and inspection (triggers, ANALYZE).
export DEPLOY_URL="$url" DEPLOY_DB DEPLOY_DB_OWNER DEPLOY_BIN="$bin" DEPLOY_DATA="$data"
DEPLOY_DB=$(stack_conninfo "$data")
DEPLOY_DB_OWNER=$(stack_conninfo "$data" deploy_owner)
status=0
"$program" || status=$?
if [ $status -ne 0 ]; then
	echo "--- last lines of the deploy-api log" >&2
	grep -v 'msg=request' "$data/log/deploy-api.log" | tail -n 30 >&2 || true
fi
exit $status
