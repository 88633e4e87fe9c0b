# Shell functions shared by scripts/run, scripts/test, the integration test
# harness and bench/: installing what the project needs, building, and
# starting or stopping a private stack (PostgreSQL, deploy-api, nginx) whose
# state lives entirely in one data folder.
#
# Layout of a data folder DATA:
#   DATA/pg       PostgreSQL cluster        DATA/pgrun   its unix socket
#   DATA/run      deploy-api socket, pids   DATA/log     every log
#   DATA/nginx    nginx config and temp     DATA/git     demo repositories
#   DATA/tls      with DEPLOY_TLS=1: the stack's CA and server certificate
#   DATA/secrets  the database roles' passwords (pgpass), 0700/0600
#
# The cluster has three roles, each with a password (scram-sha-256, nothing
# trusted): deploy_admin, the superuser, for setting up and for the
# benchmarks' server settings; deploy_owner, which owns the database and
# every object in it and runs the migrations; deploy_app, which the
# programs (deploy-api, deploy-dispatch, deployctl's other commands) use:
# it reads and writes rows and can change nothing else.

DEPLOY_SRC=${DEPLOY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

DEPLOY_DEBIAN_PACKAGES="build-essential autoconf automake libtool pkg-config
 libfcgi-dev libpq-dev libjansson-dev check libsubunit-dev libcurl4-openssl-dev
 libssl-dev libgit2-dev libsystemd-dev systemd postgresql nginx-light git curl wrk valgrind nodejs
 npm python3 python3-github golang-go golang-github-google-go-github-dev clang libclang-rt-dev
 openssl iproute2"

die() { echo "error: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

# Installs the Debian packages that are missing (as root, or through sudo).
deploy_install_packages() {
	local missing=() p
	for p in $DEPLOY_DEBIAN_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	# nodejs/npm may come from elsewhere than Debian; a working node is enough.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		local kept=()
		for p in "${missing[@]}"; do
			[ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p")
		done
		missing=("${kept[@]}")
	fi
	# Any nginx flavour will do.
	if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
		local kept=()
		for p in "${missing[@]}"; do [ "$p" = nginx-light ] || kept+=("$p"); done
		missing=("${kept[@]}")
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	note "installing Debian packages: ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

# The npm packages of the client-compatibility tests (octokit, ajv, GitHub's
# OpenAPI descriptions), installed from tests/node/package-lock.json.
deploy_node_packages() {
	local dir="$DEPLOY_SRC/tests/node"
	[ -f "$dir/package.json" ] || return 0
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
		note "installing npm packages for tests/node"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
		touch "$dir/node_modules"
	fi
}

# deploy_build BUILD_DIR [configure arguments...]: an out-of-tree build.
deploy_build() {
	local dir=$1; shift
	if [ ! -x "$DEPLOY_SRC/configure" ] || [ "$DEPLOY_SRC/configure.ac" -nt "$DEPLOY_SRC/configure" ]; then
		note "generating configure"
		(cd "$DEPLOY_SRC" && autoreconf -fi >&2) || die "autoreconf failed"
	fi
	mkdir -p "$dir"
	local want="$*"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$want" ]; then
		note "configuring $dir ${want:+($want)}"
		(cd "$dir" && "$DEPLOY_SRC/configure" -q "$@" >&2) || die "configure failed"
		echo "$want" > "$dir/.configure-args"
	fi
	note "building in $dir"
	make -C "$dir" -j"$(nproc)" -s >&2 || die "build failed"
}

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "PostgreSQL server binaries not found (Debian package postgresql)"
	echo "$d"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# postgres account that the Debian package creates.
pg_user() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The libpq conninfo of the stack in DATA, as ROLE (default deploy_app).
# The password comes from DATA/secrets/pgpass, never from a command line.
# With DEPLOY_DB_HOST, PostgreSQL is that host's, over TCP (the several-host
# tests: tests/multihost/).
stack_conninfo() {
	echo "host=${DEPLOY_DB_HOST:-$1/pgrun} port=5432 dbname=deploy user=${2:-deploy_app} passfile=$1/secrets/pgpass"
}

# stack_prepare DATA: folders, with the ones PostgreSQL writes owned by it.
stack_prepare() {
	local data=$1
	mkdir -p "$data"/{run,log,nginx,git,pg,pgrun,secrets}
	chmod 755 "$data"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$data/pg" "$data/pgrun"
		# Every folder above DATA must let the postgres account through.
		local d=$data
		while [ "$d" != / ]; do
			case "$(stat -c %A "$d" | cut -c10)" in -|T) chmod o+x "$d" ;; esac
			d=$(dirname "$d")
		done
	fi
	chmod 700 "$data/pg" "$data/pgrun" "$data/secrets"
}

# pg_passwords DATA: DATA/secrets/pgpass, a random password per role, made
# once (libpq ignores a pgpass file that others can read).
PG_ROLES="deploy_admin deploy_owner deploy_app"
pg_passwords() {
	local file=$1/secrets/pgpass role
	[ -s "$file" ] && return 0
	(
		umask 077
		for role in $PG_ROLES; do
			echo "*:*:*:$role:$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
		done > "$file.new" && mv "$file.new" "$file"
	) || die "cannot write $file"
}

# pg_password DATA ROLE
pg_password() {
	grep "^\*:\*:\*:$2:" "$1/secrets/pgpass" | cut -d: -f5
}

# A cluster made before the roles trusted every local connection and had
# deploy as its superuser: it is moved aside, never used as it is.
pg_retire_trusting_cluster() {
	local data=$1 aside
	[ -f "$data/pg/PG_VERSION" ] || return 0
	grep -Eq '^[^#]*[[:space:]]trust([[:space:]]|$)' "$data/pg/pg_hba.conf" || return 0
	aside="$data/pg.trust.$(date +%Y%m%d%H%M%S)"
	note "the cluster in $data/pg trusts every local connection (made before its roles had passwords): moving it to $aside and making a new one"
	pg_stop "$data"
	mv "$data/pg" "$aside"
	mkdir -p "$data/pg"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$data/pg"
	chmod 700 "$data/pg"
	rm -f "$data/demo.token"
}

# pg_start DATA: initdb on first use, start, create roles and database.
pg_start() {
	local data bin
	data=$(cd "$1" && pwd)
	bin=$(pg_bindir)
	pg_retire_trusting_cluster "$data"
	pg_passwords "$data"
	if [ ! -f "$data/pg/PG_VERSION" ]; then
		note "creating a PostgreSQL cluster in $data/pg"
		local pwfile="$data/pgrun/initdb.pw"
		(umask 077 && pg_password "$data" deploy_admin > "$pwfile")
		[ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
		as_pg_user "$bin/initdb" -D "$data/pg" -U deploy_admin --pwfile="$pwfile" \
			--auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null \
			|| { rm -f "$pwfile"; die "initdb failed"; }
		rm -f "$pwfile"
		cat >> "$data/pg/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$data/pgrun'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
logging_collector = off
password_encryption = scram-sha-256
# The dispatcher's queue tables churn; deploy_app may not vacuum them itself.
autovacuum_naptime = 10s
CONF
	fi
	if ! as_pg_user "$bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; then
		as_pg_user "$bin/pg_ctl" -D "$data/pg" -l "$data/pgrun/postgres.log" -w -t 60 start >/dev/null \
			|| { tail -n 20 "$data/pgrun/postgres.log" >&2; die "PostgreSQL did not start"; }
	fi
	pg_roles "$data" "$bin"
}

# pg_roles DATA BIN: the owner and application roles and the database,
# once. The passwords are ours (hex), written on psql's standard input,
# never on a command line.
pg_roles() {
	local data=$1 bin=$2 admin
	admin=$(stack_conninfo "$data" deploy_admin)
	"$bin/psql" -X -Atq -d "${admin/dbname=deploy/dbname=postgres}" \
		-c "SELECT 1 FROM pg_database WHERE datname = 'deploy'" | grep -q 1 && return 0
	{
		cat <<SQL
\set ON_ERROR_STOP on
CREATE ROLE deploy_owner LOGIN PASSWORD '$(pg_password "$data" deploy_owner)';
CREATE ROLE deploy_app LOGIN PASSWORD '$(pg_password "$data" deploy_app)';
CREATE DATABASE deploy OWNER deploy_owner;
REVOKE ALL ON DATABASE deploy FROM PUBLIC;
GRANT CONNECT ON DATABASE deploy TO deploy_app;
\connect deploy
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO deploy_app;
ALTER DEFAULT PRIVILEGES FOR ROLE deploy_owner IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO deploy_app;
ALTER DEFAULT PRIVILEGES FOR ROLE deploy_owner IN SCHEMA public
	GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO deploy_app;
SQL
	} | "$bin/psql" -X -q -d "${admin/dbname=deploy/dbname=postgres}" -f - >/dev/null \
		|| die "cannot create the database roles"
}

pg_stop() {
	local data=$1
	[ -f "$data/pg/postmaster.pid" ] || return 0
	as_pg_user "$(pg_bindir)/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null 2>&1 || true
}

# The hosts webhooks may reach (--hook-allowed-hosts of deploy-api and
# deploy-dispatch alike), from DEPLOY_HOOK_ALLOWED_HOSTS: the test stacks
# add loopback for their local receivers; unset, the programs' default
# (external only) applies.
hook_hosts_option() {
	[ -n "${DEPLOY_HOOK_ALLOWED_HOSTS:-}" ] && printf '%s\n' --hook-allowed-hosts "$DEPLOY_HOOK_ALLOWED_HOSTS"
	return 0
}

# api_start DATA BIN_DIR [deploy-api options...]: on DATA/run/api.sock, or
# on DEPLOY_API_LISTEN (host:port, FastCGI over TCP).
api_start() {
	local data=$1 bin=$2; shift 2
	local hosts
	mapfile -t hosts < <(hook_hosts_option)
	"$bin/deploy-api" --listen "${DEPLOY_API_LISTEN:-unix:$data/run/api.sock}" --db "$(stack_conninfo "$data")" \
		"${hosts[@]}" "$@" \
		>>"$data/log/deploy-api.log" 2>&1 &
	local pid=$! i
	echo $pid > "$data/run/deploy-api.pid"
	# Listening once it says so: a socket left by a killed master may
	# still be there, and is no sign of this one.
	for i in $(seq 1 200); do
		grep -qs "pid=$pid msg=\"started:" "$data/log/deploy-api.log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	tail -n 20 "$data/log/deploy-api.log" >&2
	die "deploy-api did not start"
}

# tls_certificates DIR: DIR/ca.pem (a CA of its own, key DIR/ca.key) and
# DIR/server.pem (key DIR/server.key) that it signs for 127.0.0.1 and
# localhost; made once, kept while both certificates are there, so clients
# that trust ca.pem keep trusting the stack across runs.
tls_certificates() {
	local dir=$1
	[ -s "$dir/ca.pem" ] && [ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && return 0
	command -v openssl >/dev/null || die "openssl not found (Debian package openssl)"
	mkdir -p "$dir"
	(
		umask 077
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
			-subj "/CN=deploy-api local CA $(hostname)" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
			-keyout "$dir/server.key" -out "$dir/server.csr" &&
		printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
			"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > "$dir/server.ext" &&
		openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
			-CAcreateserial -days 825 -extfile "$dir/server.ext" -out "$dir/server.pem"
	) >/dev/null 2>"$dir/openssl.log" || { cat "$dir/openssl.log" >&2; die "cannot make certificates in $dir"; }
	chmod 644 "$dir/ca.pem" "$dir/server.pem"
	rm -f "$dir/server.csr" "$dir/server.ext"
}

# stack_scheme: https with DEPLOY_TLS=1, else http.
stack_scheme() {
	if [ "${DEPLOY_TLS:-0}" = 1 ]; then echo https; else echo http; fi
}

# nginx_start DATA PORT [BODY_MAX]: over HTTPS with DEPLOY_TLS=1, with the
# certificate of DATA/tls (tls_certificates). On 127.0.0.1, or on the
# address DEPLOY_NGINX_ADDRESS; in front of DATA/run/api.sock, or of the
# deploy-api hosts DEPLOY_NGINX_UPSTREAM lists (host:port, space-separated:
# a balancer, nginx/balancer.conf.in). DEPLOY_NGINX_TRUSTED_PROXIES
# (addresses or CIDRs, space-separated): the proxies in front whose
# X-Forwarded-For names the client (nginx's realip module).
nginx_start() {
	local data=$1 port=$2 body_max=${3:-1m} user nginx_bin listen_tls= tls_include=
	local upstream="unix:$data/run/api.sock" upstream_include= server
	nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
	user=$(id -un)
	mkdir -p "$data/nginx"/{client_body,fastcgi,proxy,uwsgi,scgi}
	local real_ip_include= proxy
	if [ -n "${DEPLOY_NGINX_TRUSTED_PROXIES:-}" ]; then
		{
			for proxy in $DEPLOY_NGINX_TRUSTED_PROXIES; do echo "set_real_ip_from $proxy;"; done
			echo "real_ip_header X-Forwarded-For;"
			echo "real_ip_recursive on;"
		} > "$data/nginx/real_ip.conf"
		real_ip_include="include $data/nginx/real_ip.conf;"
	fi
	if [ -n "${DEPLOY_NGINX_UPSTREAM:-}" ]; then
		for server in $DEPLOY_NGINX_UPSTREAM; do
			echo "    server $server max_fails=1 fail_timeout=2s;"
		done > "$data/nginx/servers.conf"
		sed -e "s|@SERVERS@|include $data/nginx/servers.conf;|" \
			"$DEPLOY_SRC/nginx/balancer.conf.in" > "$data/nginx/balancer.conf"
		upstream=deploy_api upstream_include="include $data/nginx/balancer.conf;"
	fi
	if [ "$(stack_scheme)" = https ]; then
		tls_certificates "$data/tls"
		sed -e "s|@TLS_CERT@|$data/tls/server.pem|g" -e "s|@TLS_KEY@|$data/tls/server.key|g" \
			"$DEPLOY_SRC/nginx/deploy-api-tls.conf.in" > "$data/nginx/tls.conf"
		listen_tls=" ssl http2" tls_include="include $data/nginx/tls.conf;"
	fi
	sed -e "s|@DATA@|$data|g" -e "s|@PORT@|$port|g" -e "s|@BODY_MAX@|$body_max|g" \
		-e "s|@LISTEN_TLS@|$listen_tls|g" -e "s|@TLS_INCLUDE@|$tls_include|g" \
		-e "s|@ADDRESS@|${DEPLOY_NGINX_ADDRESS:-127.0.0.1}|g" \
		-e "s|@UPSTREAM@|$upstream|g" -e "s|@UPSTREAM_INCLUDE@|$upstream_include|g" \
		-e "s|@REAL_IP_INCLUDE@|$real_ip_include|g" \
		-e "s|@NGINX_USER@|$user|g" \
		"$DEPLOY_SRC/nginx/deploy-api.conf.in" > "$data/nginx/nginx.conf"
	[ "$(id -u)" -eq 0 ] || sed -i '/^user /d' "$data/nginx/nginx.conf"
	# In a process group of its own (the master's pid), so that the
	# workers of a master that was killed can be found and stopped: they
	# would keep the port and serve on without it.
	setsid "$nginx_bin" -p "$data/nginx" -c "$data/nginx/nginx.conf" -e "$data/log/nginx-error.log" \
		>>"$data/log/nginx.log" 2>&1 &
	echo $! > "$data/run/nginx.master.pid"
	echo "$port" > "$data/run/nginx.port"
}

# dispatch_start DATA BIN_DIR [deploy-dispatch options...]: the webhook
# dispatcher, against the stack's database.
dispatch_start() {
	local data=$1 bin=$2; shift 2
	local hosts
	mapfile -t hosts < <(hook_hosts_option)
	"$bin/deploy-dispatch" --db "$(stack_conninfo "$data")" "${hosts[@]}" "$@" \
		>>"$data/log/deploy-dispatch.log" 2>&1 &
	echo $! > "$data/run/deploy-dispatch.pid"
	sleep 0.2
	kill -0 "$(cat "$data/run/deploy-dispatch.pid")" 2>/dev/null || {
		tail -n 20 "$data/log/deploy-dispatch.log" >&2
		die "deploy-dispatch did not start"
	}
}

# dispatch_stop DATA: SIGTERM lets requests in flight finish (bounded by
# its --timeout-seconds); stop_pidfile kills it after 15 s regardless.
dispatch_stop() {
	stop_pidfile "$1/run/deploy-dispatch.pid"
}

# wait_http URL [SECONDS] [CA_FILE]: until URL answers 200 (an https URL
# verified against CA_FILE when given).
wait_http() {
	local url=$1 limit=${2:-30} ca=() i
	[ -n "${3:-}" ] && ca=(--cacert "$3")
	for i in $(seq 1 $((limit * 10))); do
		[ "$(curl -s "${ca[@]}" -o /dev/null -w '%{http_code}' "$url")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

stop_pidfile() {
	local f=$1 pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		local i
		for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

# stack_start DATA BIN_DIR PORT [deploy-api options...]: everything, migrated.
# The webhook dispatcher only with DEPLOY_WITH_DISPATCH=1 (options in
# DEPLOY_DISPATCH_OPTIONS): it consumes the outbox, which API tests read.
# HTTPS only with DEPLOY_TLS=1 (nginx_start).
stack_start() {
	local data=$1 bin=$2 port=$3; shift 3
	stack_prepare "$data"
	pg_start "$data"
	"$bin/deployctl" --db "$(stack_conninfo "$data" deploy_owner)" migrate >>"$data/log/deployctl.log" 2>&1 \
		|| { cat "$data/log/deployctl.log" >&2; die "migration failed"; }
	api_start "$data" "$bin" "$@"
	nginx_start "$data" "$port"
	wait_http "$(stack_scheme)://127.0.0.1:$port/healthz" 30 "$data/tls/ca.pem" || {
		tail -n 20 "$data/log/deploy-api.log" "$data/log/nginx-error.log" >&2
		die "the stack did not answer on port $port"
	}
	if [ "${DEPLOY_WITH_DISPATCH:-0}" = 1 ]; then
		# shellcheck disable=SC2086 # options are words
		dispatch_start "$data" "$bin" ${DEPLOY_DISPATCH_OPTIONS:-}
	fi
}

# stack_reports DATA: prints the lines of DATA/log that hold a sanitizer's
# report or a crash the master saw (a worker dead of a signal other than
# SIGKILL, SIGTERM, SIGINT or SIGQUIT: the fault tests kill on purpose);
# true when there is any. The test harness fails a test on them.
STACK_SANITIZER_REPORT='ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|WARNING: (Address|Thread)Sanitizer'
STACK_CRASH='killed by signal ([14-8]|1[0-4]|1[6-9]|[2-9][0-9])\b|workers crashed'
stack_reports() {
	grep -E -n "$STACK_SANITIZER_REPORT|$STACK_CRASH" "$1"/log/*.log 2>/dev/null
}

stack_stop() {
	local data=$1
	# Without a pid file (DEPLOY_WITH_DISPATCH unset) this does nothing.
	dispatch_stop "$data"
	stop_pidfile "$data/run/nginx.master.pid"
	stop_pidfile "$data/run/deploy-api.pid"
	pg_stop "$data"
}

# component_pid DATA NAME: the pid of postgres, deploy-api, nginx or
# deploy-dispatch from its pid file (nothing if there is none).
component_pid() {
	case $2 in
	postgres) head -n 1 "$1/pg/postmaster.pid" 2>/dev/null ;;
	nginx) cat "$1/run/nginx.master.pid" 2>/dev/null ;;
	*) cat "$1/run/$2.pid" 2>/dev/null ;;
	esac
}

# component_restart DATA BIN NAME [deploy-api options...]: starts NAME again
# after it died; fails (never exits) when it does not come up.
component_restart() {
	local data=$1 bin=$2 name=$3; shift 3
	case $name in
	postgres) (pg_start "$data") ;;
	deploy-api) (api_start "$data" "$bin" "$@") ;;
	# shellcheck disable=SC2086 # options are words
	deploy-dispatch) (dispatch_start "$data" "$bin" ${DEPLOY_DISPATCH_OPTIONS:-}) ;;
	nginx)
		local old group_left i
		old=$(component_pid "$data" nginx)
		# The dead master's workers: told to finish their requests and
		# go, killed if they linger.
		kill -QUIT -- "-$old" 2>/dev/null || true
		for i in $(seq 1 30); do
			group_left=$(pgrep -g "$old" || true)
			[ -z "$group_left" ] && break
			sleep 0.1
		done
		kill -KILL -- "-$old" 2>/dev/null || true
		(nginx_start "$data" "$(cat "$data/run/nginx.port")")
		sleep 0.2
		kill -0 "$(component_pid "$data" nginx)" 2>/dev/null
		;;
	esac
}

# stack_supervise DATA BIN [deploy-api options...]: keeps what stack_start
# started running, until the caller's traps stop it. A component that dies
# is started again at once. Deaths within SUPERVISE_CRASH_S of a start, and
# starts that fail, count as a crash loop from the second in a row on, and
# wait first: 0.5 s, doubling each time, at most 30 s. Each death and start
# is logged.
SUPERVISE_CRASH_S=10
crash_loop_delay_ms() {
	local streak=$(($1 > 8 ? 8 : $1)) ms
	[ "$streak" -le 1 ] && { echo 0; return; }
	ms=$((500 << (streak - 2)))
	echo $((ms > 30000 ? 30000 : ms))
}
stack_supervise() {
	local data=$1 bin=$2; shift 2
	local names=(postgres deploy-api nginx) name now pid delay
	declare -A started streak due
	[ -f "$data/run/deploy-dispatch.pid" ] && names+=(deploy-dispatch)
	now=$(date +%s%3N)
	for name in "${names[@]}"; do started[$name]=$now streak[$name]=0 due[$name]=0; done
	while true; do
		for name in "${names[@]}"; do
			pid=$(component_pid "$data" "$name")
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue
			now=$(date +%s%3N)
			if [ "${due[$name]}" -eq 0 ]; then
				if [ $((now - started[$name])) -lt $((SUPERVISE_CRASH_S * 1000)) ]; then
					streak[$name]=$((streak[$name] + 1))
				else
					streak[$name]=0
				fi
				delay=$(crash_loop_delay_ms "${streak[$name]}")
				due[$name]=$((now + delay))
				note "$name (pid ${pid:-none}) stopped unexpectedly; restarting it in ${delay} ms"
			fi
			[ "$now" -lt "${due[$name]}" ] && continue
			if component_restart "$data" "$bin" "$name" "$@" >>"$data/log/supervise.log" 2>&1; then
				note "$name restarted (pid $(component_pid "$data" "$name"))"
				started[$name]=$(date +%s%3N) due[$name]=0
			else
				streak[$name]=$((streak[$name] + 1))
				delay=$(crash_loop_delay_ms "${streak[$name]}")
				due[$name]=$((now + delay))
				note "$name did not start (see $data/log/supervise.log); trying again in ${delay} ms"
			fi
		done
		sleep 0.2 &
		wait $! || true
	done
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
		|| echo $((20000 + RANDOM % 20000))
}

# remembered_port FILE [TAKEN...]: the port in FILE while it is still free
# on 127.0.0.1 and not one of TAKEN, else a new free one, written to FILE:
# a data folder keeps its ports from run to run while nothing else takes
# them (a Prometheus configured for them goes on scraping).
remembered_port() {
	local file=$1 port; shift
	port=$(cat "$file" 2>/dev/null || true)
	while [ -z "$port" ] || [[ " $* " == *" $port "* ]] || ! python3 -c \
		'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; do
		port=$(free_port)
	done
	echo "$port" > "$file"
	echo "$port"
}

# demo_git_repo DIR: a small bare repository: main with three commits, a
# topic branch one commit ahead, and an annotated tag v1.0.
demo_git_repo() {
	local bare=$1 work
	[ -d "$bare/objects" ] && return 0
	work=$(mktemp -d)
	(
		cd "$work" && git init -q -b main . &&
		git config user.name "Demo" && git config user.email "demo@example.com" &&
		echo "# demo" > README.md && git add README.md && git commit -qm "Initial commit" &&
		echo "v1" > app.txt && git add app.txt && git commit -qm "Add app" &&
		git tag -a v1.0 -m "Release 1.0" &&
		echo "v2" > app.txt && git commit -qam "Update app" &&
		git checkout -qb topic && echo "feature" > feature.txt && git add feature.txt &&
		git commit -qm "Add feature" && git checkout -q main &&
		git clone -q --bare . "$bare"
	) >&2 || die "cannot create the demo git repository"
	rm -rf "$work"
}
