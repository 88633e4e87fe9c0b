#!/usr/bin/env bash
# Runs one test program against several real hosts: network namespaces this
# script makes (and removes), joined by a bridge in a namespace of its own,
# with addresses of 198.18.0.0/24 (reserved for benchmarks, never routed), so
# the only addresses ever contacted are those of the namespaces made here:
#
#   cl  198.18.0.100  the test program (the client, a webhook receiver)
#   lb  198.18.0.2    nginx balancing over the three API hosts, port 8080
#   h1  198.18.0.11   deploy-api (FastCGI on port 9000) and deploy-dispatch
#   h2  198.18.0.12   deploy-api and deploy-dispatch
#   h3  198.18.0.13   deploy-api
#   db  198.18.0.5    PostgreSQL, port 5432, scram passwords
#
# Usage: run-with-hosts.sh PROGRAM [ARGS...]. PROGRAM runs in cl with
# DEPLOY_URL (the balancer), DEPLOY_DB and DEPLOY_DB_OWNER (over TCP),
# DEPLOY_BIN, DEPLOY_SRC, DEPLOY_HOSTS_DATA (DATA/h1, h2... DATA/db, DATA/lb
# under it) and DEPLOY_NETNS (the namespaces' prefix); tests/multihost/
# hostlib.py stops and starts hosts with them. Exit 77 (skipped) only where
# namespaces cannot be made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEPLOY_SRC=${DEPLOY_SRC:-$(cd "$here/../.." && pwd)}
source "$DEPLOY_SRC/scripts/lib.sh"

program=$1; shift
bin=${DEPLOY_BIN:-$(cd "$(dirname "$program")/../../src" 2>/dev/null && pwd || true)}
[ -x "$bin/deploy-api" ] || bin=$(cd "$here/../../src" && pwd)
ns=dapi$$
net=198.18.0
hosts="h1 h2 h3"
declare -A address=([cl]=$net.100 [lb]=$net.2 [h1]=$net.11 [h2]=$net.12 [h3]=$net.13 [db]=$net.5)

# Namespaces left by a run that died: their creator's pid is gone.
remove_namespaces() {
	local prefix=$1 name
	for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$prefix-" || true); do
		ip netns pids "$name" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$name" 2>/dev/null || true
	done
}
for stale in $(ip netns list 2>/dev/null | sed -n 's/^\(dapi[0-9]*\)-.*/\1/p' | sort -u); do
	kill -0 "${stale#dapi}" 2>/dev/null || remove_namespaces "$stale"
done

if ! ip netns add "$ns-sw" 2>/dev/null; then
	echo "SKIP: cannot make network namespaces here (ip netns add needs root or CAP_SYS_ADMIN)"
	exit 77
fi
data=$(mktemp -d /tmp/deploy-hosts.XXXXXX)
chmod 755 "$data"

in_host() { local name=$1; shift; ip netns exec "$ns-$name" "$@"; }
# lib.sh in host NAME: in_lib NAME 'shell commands' ARGS...
in_lib() {
	local name=$1 commands=$2; shift 2
	in_host "$name" env DEPLOY_DB_HOST="${address[db]}" bash -c "source '$DEPLOY_SRC/scripts/lib.sh'; $commands" lib "$@"
}

cleanup() {
	local status=$? name
	for name in lb $hosts; do
		[ -d "$data/$name" ] && in_lib "$name" 'dispatch_stop "$1"; stop_pidfile "$1/run/nginx.master.pid"; stop_pidfile "$1/run/deploy-api.pid"' "$data/$name" || true
	done
	[ -d "$data/db" ] && pg_stop "$data/db"
	remove_namespaces "$ns"
	local name_dir
	for name_dir in "$data"/*/; do
		if stack_reports "$name_dir" >&2; then
			echo "--- FAIL: the logs above hold sanitizer reports or crashes" >&2
			status=1
		fi
	done
	if [ "${DEPLOY_KEEP_DATA:-}" = 1 ]; then echo "kept $data" >&2; else rm -rf "$data"; fi
	exit $status
}
trap cleanup EXIT

ip -n "$ns-sw" link add br0 type bridge
ip -n "$ns-sw" link set br0 up
i=0
for name in cl lb $hosts db; do
	i=$((i + 1))
	ip netns add "$ns-$name"
	ip link add "$ns$i" type veth peer name "$ns${i}p"
	ip link set "$ns$i" netns "$ns-sw"
	ip -n "$ns-sw" link set "$ns$i" master br0 up
	ip link set "$ns${i}p" netns "$ns-$name"
	ip -n "$ns-$name" link set "$ns${i}p" name eth0
	ip -n "$ns-$name" addr add "${address[$name]}/24" dev eth0
	ip -n "$ns-$name" link set eth0 up
	ip -n "$ns-$name" link set lo up
done

# PostgreSQL, on its unix socket for migrating and on TCP for the others.
mkdir -p "$data/db"
in_lib db 'stack_prepare "$1" && DEPLOY_DB_HOST= pg_start "$1"' "$data/db"
if ! grep -q "^listen_addresses = '${address[db]}'" "$data/db/pg/postgresql.conf"; then
	echo "listen_addresses = '${address[db]}'" >> "$data/db/pg/postgresql.conf"
	echo "host all all $net.0/24 scram-sha-256" >> "$data/db/pg/pg_hba.conf"
	pg_stop "$data/db"
	in_lib db 'DEPLOY_DB_HOST= pg_start "$1"' "$data/db"
fi
in_lib db 'DEPLOY_DB_HOST= "$2/deployctl" --db "$(stack_conninfo "$1" deploy_owner)" migrate' "$data/db" "$bin" \
	>>"$data/db/log/deployctl.log" 2>&1 || { cat "$data/db/log/deployctl.log" >&2; die "migration failed"; }

url="http://${address[lb]}:8080"
export DEPLOY_HOOK_ALLOWED_HOSTS=${DEPLOY_HOOK_ALLOWED_HOSTS:-external,$net.0/24}
upstream=
for name in $hosts; do
	mkdir -p "$data/$name/secrets"
	(umask 077 && cp "$data/db/secrets/pgpass" "$data/$name/secrets/pgpass")
	in_lib "$name" 'stack_prepare "$1" && cp -p "$4" "$1/secrets/pgpass" &&
		DEPLOY_API_LISTEN="$3:9000" api_start "$1" "$2" --workers 4 --base-url "$5"' \
		"$data/$name" "$bin" "${address[$name]}" "$data/db/secrets/pgpass" "$url"
	upstream+="${address[$name]}:9000 "
done
mkdir -p "$data/lb"
# The client host is a proxy the balancer trusts (rate_budget.py): its
# X-Forwarded-For names the client; anyone else's is not believed.
in_lib lb 'stack_prepare "$1" && DEPLOY_NGINX_ADDRESS="$3" DEPLOY_NGINX_UPSTREAM="$4" \
	DEPLOY_NGINX_TRUSTED_PROXIES="$5" nginx_start "$1" 8080' \
	"$data/lb" "$bin" "${address[lb]}" "$upstream" "${address[cl]}"
in_host cl bash -c "source '$DEPLOY_SRC/scripts/lib.sh'; wait_http '$url/healthz' 30" \
	|| { tail -n 20 "$data"/*/log/*.log >&2; die "the balancer did not answer at $url"; }

export DEPLOY_URL=$url DEPLOY_BIN=$bin DEPLOY_HOSTS_DATA=$data DEPLOY_NETNS=$ns
export DEPLOY_DB DEPLOY_DB_OWNER DEPLOY_DATA=$data/db
DEPLOY_DB=$(DEPLOY_DB_HOST=${address[db]} stack_conninfo "$data/db")
DEPLOY_DB_OWNER=$(DEPLOY_DB_HOST=${address[db]} stack_conninfo "$data/db" deploy_owner)
status=0
in_host cl "$program" "$@" || status=$?
if [ $status -ne 0 ]; then
	for name in $hosts; do
		echo "--- last lines of $name's deploy-api log" >&2
		grep -v 'msg=request' "$data/$name/log/deploy-api.log" | tail -n 15 >&2 || true
	done
fi
exit $status
