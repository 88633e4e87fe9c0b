#!/usr/bin/env bash
# bench/report.sh DATA OUTPUT: writes the Markdown report of a bench/run.sh
# run from its data folder (meta.env, results.tsv, cpu.tsv, endpoints.tsv,
# probes.tsv, extras.env), overwriting OUTPUT. bench/run.sh calls it; run it
# by hand on a folder kept with --keep to change the report without
# measuring again. Sections other people write by hand into OUTPUT are kept:
# everything from a line "## Webhook delivery" on is copied from the old
# OUTPUT to the end of the new one.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"
[ $# -eq 2 ] || die "usage: bench/report.sh DATA OUTPUT"
data=$1 output=$2
[ -f "$data/meta.env" ] || die "$data/meta.env not found"
source "$data/meta.env"
# Older data folders lack these.
: "${head:=0}" "${XDUR:=$DUR}" "${LIST_P99_TARGET_MS:=10}" "${HOP_MAX_RATIO:=1.5}" "${CASCADE_MAX_RATIO:=1.5}"
: "${CONTEXTS_MIN_RATIO:=0.8}"
list_repo=${list_repo:-} status_repo=${status_repo:-} deep_repo=${deep_repo:-} create_repo=${create_repo:-}
[ -f "$data/extras.env" ] && source "$data/extras.env"
[ -f "$data/probes.tsv" ] || : > "$data/probes.tsv"
PGBIN=$(pg_bindir)
REPO_NAME=bench-repo
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# res KEY C FIELD: FIELD 3 = rps/tps, 4 = p50 (or pgbench average), 5 = p90,
# 6 = p99, 7 = errors, 8 = requests answered (wrk) or transactions (pgbench;
# absent in older data folders).
res() { awk -F'\t' -v k="$1" -v c="$2" -v f="$3" '$1 == k && $2 == c { print $f; exit }' "$data/results.tsv"; }
cpu() { awk -F'\t' -v k="$1 c$2" -v g="$3" '$1 == k { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == g) print kv[2] } exit }' "$data/cpu.tsv"; }
# num X: X rounded, with thousands separators (any locale).
num() { awk -v x="$1" 'BEGIN { if (x !~ /^[0-9.]+$/) { print x; exit }
	s = sprintf("%.0f", x); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
	print s o }'; }
# per_req PCT RATE: microseconds of CPU per request from % of one core and req/s.
per_req() { awk -v p="$1" -v r="$2" 'BEGIN { if (p ~ /^[0-9.]+$/ && r > 0) printf "%.0f", p * 10000 / r; else print "-" }'; }
ms() { awk -v x="$1" 'BEGIN { if (x ~ /^[0-9]+$/) printf "%.2f ms", x / 1000; else print x }'; }
combined() { awk -v h="$1" -v d="$2" 'BEGIN { if (h > 0 && d > 0) printf "%.0f", 1 / (1 / h + 1 / d); else print "-" }'; }
ratio() { awk -v e="$1" -v c="$2" 'BEGIN { if (e ~ /^[0-9.]+$/ && c > 0) printf "%.2f", e / c; else print "-" }'; }
# probe KEY C FIELD: 3 = success statuses written, 4 = inactive (cascades);
# for the creates, 3 = deployments inserted, 4 = outbox rows.
probe() { awk -F'\t' -v k="$1" -v c="$2" -v f="$3" '$1 == k && $2 == c { print $f; exit }' "$data/probes.tsv"; }
# le X Y / ge X Y: numeric comparisons that are false on "-" or empty.
le() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && x + 0 <= y + 0) }'; }
ge() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && x + 0 >= y + 0) }'; }
# endpoint_ratio NAME C
endpoint_ratio() {
	local e h d
	e=$(res "$1/endpoint" "$2" 3); h=$(res "$1/libfcgi" "$2" 3); d=$(res "$1/pgbench" "$2" 3)
	ratio "$e" "$(combined "$h" "$d")"
}
# endpoint_ratio_w NAME C: for writes, the ratio against the ceiling with D
# measured at WORKERS clients (empty when not measured).
endpoint_ratio_w() {
	local e h d
	d=$(res "$1/pgbench" "$WORKERS" 3)
	[ -n "$d" ] || return 0
	e=$(res "$1/endpoint" "$2" 3); h=$(res "$1/libfcgi" "$2" 3)
	ratio "$e" "$(combined "$h" "$d")"
}
# endpoint_verdict NAME TARGET: one line against the target, every C (and,
# for writes, against D at WORKERS clients too: both must reach it).
endpoint_verdict() {
	local c r w misses="" all="" allw=""
	for c in "${CONCURRENCIES[@]}"; do
		r=$(endpoint_ratio "$1" "$c"); all+="${all:+, }$r at C=$c"
		ge "$r" "$2" || misses+="${misses:+, }C=$c"
		w=$(endpoint_ratio_w "$1" "$c")
		if [ -n "$w" ]; then
			allw+="${allw:+, }$w at C=$c"
			ge "$w" "$2" || misses+="${misses:+, }C=$c with D at $WORKERS clients"
		fi
	done
	[ -n "$allw" ] && all+="; with D at $WORKERS clients: $allw"
	if [ -z "$misses" ]; then echo "meets the target (ratio ≥ $2: $all)"
	else echo "**misses the target** (ratio ≥ $2) at $misses ($all)"; fi
}
# The extras' results.
list_verdict() {
	local rate p99 achieved
	p99=$(res list_latency/paced 16 6); achieved=$(res list_latency/paced 16 3)
	if [ -z "$p99" ]; then echo "not measured"; return; fi
	if ge "$achieved" "$(awk -v r="$list_rate" 'BEGIN { print r * 0.9 }')"; then
		if le "$p99" $(( LIST_P99_TARGET_MS * 1000 - 1 )); then
			echo "meets the target (p99 $(ms "$p99") < $LIST_P99_TARGET_MS ms at $(num "$achieved") req/s, half the peak of $(num "$list_peak"))"
		else
			echo "**misses the target** (p99 $(ms "$p99") at $(num "$achieved") req/s, half the peak of $(num "$list_peak"); target < $LIST_P99_TARGET_MS ms)"
		fi
	else
		p99=$(res list_latency/closed 4 6); achieved=$(res list_latency/closed 4 3)
		echo "paced run fell short of the rate; closed loop at 4 connections: p99 $(ms "$p99") at $(num "$achieved") req/s ($(le "$p99" $(( LIST_P99_TARGET_MS * 1000 - 1 )) && echo "under" || echo "**over**") $LIST_P99_TARGET_MS ms)"
	fi
}
hop_ratio() { ratio "$(res deep_hop/hop1000 1 4)" "$(res deep_hop/hop2 1 4)"; }
hop_verdict() {
	local r; r=$(hop_ratio)
	[ "$r" = - ] && { echo "not measured"; return; }
	if le "$r" "$HOP_MAX_RATIO"; then echo "meets the target (hop to page 1,000 at ${r}× the hop to page 2 at p50; ≤ ${HOP_MAX_RATIO}×)"
	else echo "**misses the target** (hop to page 1,000 at ${r}× the hop to page 2 at p50; ≤ ${HOP_MAX_RATIO}×)"; fi
}
cascade_ratio() { ratio "$(res cascade_cost/endpoint100000 1 4)" "$(res cascade_cost/endpoint10 1 4)"; }
cascade_db_ratio() { ratio "$(res cascade_cost/pgbench100000 1 4)" "$(res cascade_cost/pgbench10 1 4)"; }
cascade_verdict() {
	local r d; r=$(cascade_ratio); d=$(cascade_db_ratio)
	[ "$r" = - ] && { echo "not measured"; return; }
	if le "$r" "$CASCADE_MAX_RATIO" && le "$d" "$CASCADE_MAX_RATIO"; then
		echo "meets the target (100,000 prior deployments against 10: ${r}× at p50 through the endpoint, ${d}× in pgbench's average; ≤ ${CASCADE_MAX_RATIO}×)"
	else
		echo "**misses the target** (100,000 prior deployments against 10: ${r}× at p50 through the endpoint, ${d}× in pgbench's average; ≤ ${CASCADE_MAX_RATIO}×)"
	fi
}
# contexts_rps VARIANT C FIELD: the mean over the two runs of a variant
# (unchecked, checked) of contexts_check, FIELD as for res.
contexts_rps() {
	awk -v a="$(res "contexts_check/${1}1" "$2" "$3")" -v b="$(res "contexts_check/${1}2" "$2" "$3")" \
		'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", (a + b) / 2; else print "-" }'
}
contexts_ratio() { ratio "$(contexts_rps checked "$1" 3)" "$(contexts_rps unchecked "$1" 3)"; }
contexts_verdict() {
	local c r misses="" all=""
	[ "$(contexts_ratio "${CONCURRENCIES[0]}")" = - ] && { echo "not measured"; return; }
	for c in "${CONCURRENCIES[@]}"; do
		r=$(contexts_ratio "$c"); all+="${all:+, }${r}× at C=$c"
		ge "$r" "$CONTEXTS_MIN_RATIO" || misses+="${misses:+, }C=$c"
	done
	if [ -z "$misses" ]; then echo "meets the target (create with required_contexts omitted, ${contexts_n:-5} success contexts, against required_contexts: []: $all; ≥ ${CONTEXTS_MIN_RATIO}×)"
	else echo "**misses the target** at $misses (create with required_contexts omitted, ${contexts_n:-5} success contexts, against required_contexts: []: $all; ≥ ${CONTEXTS_MIN_RATIO}×)"; fi
}
# sum_errors KEY1 KEY2 C: the errors of two runs.
sum_errors() { awk -v a="$(res "$1" "$3" 7)" -v b="$(res "$2" "$3" 7)" 'BEGIN { print a + b }'; }
# other KEY C: the "other" CPU of a measurement, % of one core.
other() { cpu "$1" "$2" other; }

pg_version=$("$PGBIN/postgres" --version | sed 's/.*) //')
nginx_version=$("$NGINX" -v 2>&1 | sed 's|.*nginx/||')
wrk_version=$( { wrk --version 2>&1 || true; } | head -n 1 | awk '{ print $2 }')
fcgi_version=$(dpkg-query -W -f='${Version}' libfcgi-dev 2>/dev/null || echo unknown)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
dirty_note=""
[ "$dirty" = yes ] && dirty_note=" (with uncommitted changes in src/ or sql/)"

quick_note=""
[ "$quick" -eq 1 ] && quick_note=$'\n\n'"**Quick run: ${DUR} s per measurement, for debugging the harness only.**"
conc_list=$(printf '%s, ' "${CONCURRENCIES[@]}"); conc_list=${conc_list%, }
mkdir -p "$(dirname "$output")"
# Hand-written sections to keep (see the top of this file).
kept=""
[ -f "$output" ] && kept=$(sed -n '/^## Webhook delivery/,$p' "$output")
head_note=""
[ "$head" = 1 ] && head_note=" (built from the committed tree: \`bench/run.sh --head\`, working-tree changes left out)"
{
	cat <<EOF
# Performance

Generated by \`bench/run.sh$([ $quick -eq 1 ] && echo " --quick")$([ "$head" = 1 ] && echo " --head")\` on $run_date, commit $commit$dirty_note$head_note;
the whole run took ${elapsed} s. Re-run it to regenerate this file (it is overwritten, except a
"Webhook delivery" section, which is kept).${quick_note}

## Summary

Ratio = endpoint req/s / combined ceiling, measured in this run (method below).

| Endpoint | target | $(for c in "${CONCURRENCIES[@]}"; do printf 'ratio C=%s | ' "$c"; done)verdict |
|---|---|$(for c in "${CONCURRENCIES[@]}"; do printf -- '---|'; done)---|
$(while IFS=$'\t' read -r name method path lua sql target title bytes hbytes sql_match; do
	printf '| [%s](#%s) | ≥ %s | ' "$name" "$name" "$target"
	for c in "${CONCURRENCIES[@]}"; do printf '%s | ' "$(endpoint_ratio "$name" "$c")"; done
	printf '%s |\n' "$(endpoint_verdict "$name" "$target")"
done < "$data/endpoints.tsv")
$(if [ -n "${list_rate:-}${hop2_url:-}${cascade10_a:-}${contexts_n:-}" ]; then
	echo
	echo "| Measurement | target | verdict |"
	echo "|---|---|---|"
	[ -n "${list_rate:-}" ] && echo "| [list_latency](#list_latency): list p99 at half the peak rate | < $LIST_P99_TARGET_MS ms | $(list_verdict) |"
	[ -n "${hop2_url:-}" ] && echo "| [deep_hop](#deep_hop): next-link hop to page 1,000 vs page 2 | ≤ ${HOP_MAX_RATIO}× | $(hop_verdict) |"
	[ -n "${cascade10_a:-}" ] && echo "| [cascade_cost](#cascade_cost): success status, 100,000 vs 10 prior deployments | ≤ ${CASCADE_MAX_RATIO}× | $(cascade_verdict) |"
	[ -n "${contexts_n:-}" ] && echo "| [contexts_check](#contexts_check): create, required_contexts omitted (${contexts_n} success contexts) vs required_contexts: [] | ≥ ${CONTEXTS_MIN_RATIO}× | $(contexts_verdict) |"
	true
fi)

## Machine

| | |
|---|---|
| CPU | $(nproc) cores, $cpu_model |
| Memory | $mem |
| Kernel | $(uname -r) |
| PostgreSQL | $pg_version (private cluster from scripts/lib.sh: \`shared_buffers=256MB\`, unix socket, fsync on) |
| nginx | $nginx_version (\`worker_processes 2\`, \`access_log off\`) |
| wrk | $wrk_version |
| libfcgi | $fcgi_version |
| Load average before / after | $loadavg_before / $loadavg_after |

## Method

One run of \`bench/run.sh\` builds the product, starts a private stack (PostgreSQL, deploy-api with
\`--workers $WORKERS --rate-limit 0\`, nginx as configured by \`nginx/deploy-api.conf.in\`) in a
temporary folder, provisions one user, five repositories (see Data below) and one token
(\`--rate-limit 0\`), and for
each endpoint and each concurrency C in {$conc_list} measures, back to back:
the **endpoint** through nginx with \`wrk -t2 -c C -d${DUR}s --latency\`; **static**, the same
response body served as a file by an nginx with the same settings, carrying the endpoint's own
headers; **libfcgi** (H), \`bench/fcgi_static.c\` (a master with \`FCGX_OpenSocket\` and ${CEILING_CHILDREN:-$WORKERS}
forked children in an \`FCGX_Accept_r\` loop writing the endpoint's captured headers and body)
behind that nginx with \`fastcgi_keep_conn off\`; and **pgbench** (D),
\`pgbench -n -M prepared -T $DUR -j 2 -c C\` running the endpoint's SQL (\`bench/sql/\`) with
the same token hash, owner and repository, over the stack's unix socket (writes: also at
$WORKERS clients, the workers' connection count, see their sections). The **combined ceiling**
is 1/(1/H + 1/D) (see PERFORMANCE.md: HTTP and database share the same $(nproc) cores, so their
costs add up), and the **ratio** is endpoint req/s divided by it. wrk, pgbench and every server
share the machine; figures are noisy, so read the ratios, which come from the same run. The CPU
columns are each process tree's CPU time during the run from /proc, in % of one core
($(nproc) cores = $(( $(nproc) * 100 ))%), "other" being the machine's remaining busy time:
anything else running on this shared machine, and kernel work not charged to a process.

**Data** (\`bench/provision.sql\`, inserted with \`generate_series\` before the first measurement,
then \`VACUUM ANALYZE\`): \`$REPO_NAME\` for GET repository; \`${list_repo:-bench-list}\` with 1,000
deployments in three environments (the lists and GET deployment read it); \`${status_repo:-bench-status}\`
with the status pools below, a deployment with 40 statuses (list statuses), and the environments
\`10\` and \`100000\` of the cascade-cost measurement; \`${deep_repo:-bench-deep}\` with 100,000
deployments; \`${create_repo:-bench-create}\`, with no deployment and ${contexts_n:-5} commit statuses (${contexts_n:-5}
contexts, state \`success\`, posted through the API) on the sha the creates deploy. No repository has a
git directory, so a create (whose ref is a full 40-hex sha) costs no git lookup. Nothing drains the outbox: it grows by one
row per create and per non-inactive status during the run, as expected.

**pgbench scripts** (\`bench/sql/\`, checked against the statements the workers log, see
\`bench/sql/normalize.pl\`) hold exactly the statements of one request: the resolve statement with the
route's parameters, then the endpoint's own. Where pgbench cannot send what the worker sends, the
script says so: a parameter the worker binds to NULL is a NULL literal (\`NULL/*\$n*/\`; for
example a status's environment, NULL meaning "keep the deployment's"); the id a create's resolve
allocated is \`(currval('deployments_id_seq'))/*\$1*/\` (pgbench's \`\\gset\` cannot read the resolve
row); an environment name is a number computed per client with \`\\set\`. Event bodies are the real
ones, read from the outbox after one request to the endpoint (7–10 KB).

**Writes spread over pools** so that concurrent requests do not queue on one environment lock (each
status takes its environment's advisory lock until commit): pending statuses go to 128 deployments
each alone in its environment (pgbench client k to number k; wrk thread t cycles over 64 of them);
success statuses go to 128 pairs A, B alone in their environment with one of the two active, and
alternate within a pair, so that every request deactivates exactly one deployment (counted: the
inactive statuses written per success status are in the endpoint's section).
EOF
	while IFS=$'\t' read -r name method path lua sql target title bytes hbytes sql_match; do
		echo
		echo "<a id=\"$name\"></a>"
		echo
		echo "## $title"
		echo
		echo "**Verdict ($name):** $(endpoint_verdict "$name" "$target")."
		echo
		echo "\`$method $path\`, answered with $bytes bytes of JSON and $hbytes bytes of headers;"
		echo "wrk script \`bench/$lua\`, SQL \`bench/$sql\`$([ "$sql_match" = yes ] && echo " (checked: the same text as the statement the workers ran)" || echo " (**not** found among the statements the workers ran: check it against src/)"). Target: ratio ≥ $target."
		echo
		echo "| C | endpoint req/s | p50 | p90 | p99 | static nginx req/s | libfcgi req/s (H) | pgbench tps (D) | combined ceiling | ratio |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
		for c in "${CONCURRENCIES[@]}"; do
			e=$(res "$name/endpoint" "$c" 3); h=$(res "$name/libfcgi" "$c" 3); d=$(res "$name/pgbench" "$c" 3)
			comb=$(combined "$h" "$d")
			echo "| $c | $(num "$e") | $(ms "$(res "$name/endpoint" "$c" 4)") | $(ms "$(res "$name/endpoint" "$c" 5)") | $(ms "$(res "$name/endpoint" "$c" 6)") | $(num "$(res "$name/static" "$c" 3)") | $(num "$h") | $(num "$d") | $(num "$comb") | **$(ratio "$e" "$comb")** |"
		done
		echo
		echo "Ceiling latencies and errors:"
		echo
		echo "| C | static p50 / p99 | libfcgi p50 / p99 | pgbench average latency | errors or non-2xx (endpoint / static / libfcgi / pgbench failed) |"
		echo "|---|---|---|---|---|"
		for c in "${CONCURRENCIES[@]}"; do
			echo "| $c | $(ms "$(res "$name/static" "$c" 4)") / $(ms "$(res "$name/static" "$c" 6)") | $(ms "$(res "$name/libfcgi" "$c" 4)") / $(ms "$(res "$name/libfcgi" "$c" 6)") | $(ms "$(res "$name/pgbench" "$c" 4)") | $(res "$name/endpoint" "$c" 7) / $(res "$name/static" "$c" 7) / $(res "$name/libfcgi" "$c" 7) / $(res "$name/pgbench" "$c" 7) |"
		done
		echo
		echo "CPU during each measurement (% of one core):"
		echo
		echo "| run | machine busy | deploy-api | postgres | nginx (stack) | nginx (ceiling) | fcgi_static | wrk or pgbench | other |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for c in "${CONCURRENCIES[@]}"; do
			for k in endpoint static libfcgi pgbench; do
				echo "| $k c$c | $(cpu "$name/$k" "$c" busy) | $(cpu "$name/$k" "$c" api) | $(cpu "$name/$k" "$c" pg) | $(cpu "$name/$k" "$c" nginx) | $(cpu "$name/$k" "$c" cnginx) | $(cpu "$name/$k" "$c" fcgi) | $(cpu "$name/$k" "$c" load) | $(cpu "$name/$k" "$c" other) |"
			done
		done
		echo
		echo "CPU per request (µs, from the table above; machine = all busy time / req/s):"
		echo
		echo "| C | endpoint: deploy-api | endpoint: postgres | endpoint: nginx | endpoint: machine | libfcgi: fcgi_static | libfcgi: nginx | libfcgi: machine | pgbench: postgres per transaction |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for c in "${CONCURRENCIES[@]}"; do
			e=$(res "$name/endpoint" "$c" 3); h=$(res "$name/libfcgi" "$c" 3); d=$(res "$name/pgbench" "$c" 3)
			echo "| $c | $(per_req "$(cpu "$name/endpoint" "$c" api)" "$e") | $(per_req "$(cpu "$name/endpoint" "$c" pg)" "$e") | $(per_req "$(cpu "$name/endpoint" "$c" nginx)" "$e") | $(per_req "$(cpu "$name/endpoint" "$c" busy)" "$e") | $(per_req "$(cpu "$name/libfcgi" "$c" fcgi)" "$h") | $(per_req "$(cpu "$name/libfcgi" "$c" cnginx)" "$h") | $(per_req "$(cpu "$name/libfcgi" "$c" busy)" "$h") | $(per_req "$(cpu "$name/pgbench" "$c" pg)" "$d") |"
		done
		echo
		echo "### Interpretation"
		echo
		for c in "${CONCURRENCIES[@]}"; do
			e=$(res "$name/endpoint" "$c" 3); h=$(res "$name/libfcgi" "$c" 3); d=$(res "$name/pgbench" "$c" 3)
			comb=$(combined "$h" "$d"); r=$(ratio "$e" "$comb")
			verdict=$(awk -v r="$r" -v t="$target" 'BEGIN { if (r !~ /^[0-9.]+$/) print "could not be computed"; else if (r + 0 >= t + 0) print "meets the target of " t; else print "is **below** the target of " t }')
			echo "- C=$c: $(num "$e") req/s against a combined ceiling of $(num "$comb") (H $(num "$h"), D $(num "$d")): ratio $r, which $verdict. During the endpoint run deploy-api used $(cpu "$name/endpoint" "$c" api)% of a core, PostgreSQL $(cpu "$name/endpoint" "$c" pg)%, nginx $(cpu "$name/endpoint" "$c" nginx)%, wrk $(cpu "$name/endpoint" "$c" load)% and other processes $(cpu "$name/endpoint" "$c" other)%, of $(( $(nproc) * 100 ))%: $(per_req "$(cpu "$name/endpoint" "$c" api)" "$e") µs of deploy-api CPU per request, against $(per_req "$(cpu "$name/libfcgi" "$c" fcgi)" "$h") µs for fcgi_static, and $(per_req "$(cpu "$name/endpoint" "$c" pg)" "$e") µs of PostgreSQL CPU per request, against $(per_req "$(cpu "$name/pgbench" "$c" pg)" "$d") µs per pgbench transaction."
		done
		d4=$(res "$name/pgbench" "$WORKERS" 3)
		if [ -n "$d4" ]; then
			echo "- A write: pgbench also ran at $WORKERS clients, the number of connections the $WORKERS workers hold, since pgbench's C clients can queue on the write's locks (a status's environment lock) and commits in a way the workers' $WORKERS connections never do: $(num "$d4") tps, average latency $(ms "$(res "$name/pgbench" "$WORKERS" 4)"), $(res "$name/pgbench" "$WORKERS" 7) failed; postgres $(cpu "$name/pgbench" "$WORKERS" pg)% of a core, other $(cpu "$name/pgbench" "$WORKERS" other)%. Ratios against 1/(1/H + 1/D$WORKERS): $(for c in "${CONCURRENCIES[@]}"; do printf '%s at C=%s; ' "$(endpoint_ratio_w "$name" "$c")" "$c"; done | sed 's/; $//')."
		fi
		if [[ $name == create_* ]] && grep -q "^$name/" "$data/probes.tsv"; then
			for c in "${CONCURRENCIES[@]}"; do
				echo "- Rows at C=$c: the endpoint run inserted $(num "$(probe "$name/endpoint" "$c" 3)") deployments and $(num "$(probe "$name/endpoint" "$c" 4)") outbox rows, for $(num "$(res "$name/endpoint" "$c" 8)") responses counted by wrk (requests still in flight when wrk stops are not counted); pgbench $(num "$(probe "$name/pgbench" "$c" 3)") and $(num "$(probe "$name/pgbench" "$c" 4)") for $(num "$(res "$name/pgbench" "$c" 8)") transactions."
			done
			[ -n "$(probe "$name/pgbench" "$WORKERS" 3)" ] && echo "- Rows, pgbench at $WORKERS clients: $(num "$(probe "$name/pgbench" "$WORKERS" 3)") deployments and $(num "$(probe "$name/pgbench" "$WORKERS" 4)") outbox rows for $(num "$(res "$name/pgbench" "$WORKERS" 8)") transactions."
		elif grep -q "^$name/" "$data/probes.tsv"; then
			for c in "${CONCURRENCIES[@]}"; do
				echo "- Cascades at C=$c: the endpoint run wrote $(num "$(probe "$name/endpoint" "$c" 3)") success and $(num "$(probe "$name/endpoint" "$c" 4)") inactive statuses, pgbench $(num "$(probe "$name/pgbench" "$c" 3)") and $(num "$(probe "$name/pgbench" "$c" 4)") (one inactive per success is a cascade of one on every request)."
			done
			[ -n "$(probe "$name/pgbench" "$WORKERS" 3)" ] && echo "- Cascades, pgbench at $WORKERS clients: $(num "$(probe "$name/pgbench" "$WORKERS" 3)") success and $(num "$(probe "$name/pgbench" "$WORKERS" 4)") inactive statuses."
		fi
		disturbed=$(awk -F'\t' -v n="$name/" 'index($1, n) == 1 { for (i = 2; i <= NF; i++) { split($i, kv, "=");
			if (kv[1] == "other" && kv[2] + 0 >= 15) { sub(n, "", $1); printf "%s%s (%s%%)", sep, $1, kv[2]; sep = ", " } } }' "$data/cpu.tsv")
		if [ -n "$disturbed" ]; then
			echo "- **Disturbed:** processes outside the benchmark kept the machine busy during $disturbed of a core (\"other\" above); those figures are low by about that share."
		else
			echo "- Nothing else used more than 15% of a core during any measurement (\"other\" above)."
		fi
		if [ -s "$data/out/$name-perf-comm.txt" ]; then
			echo
			echo "#### Profile (perf, generated)"
			echo
			echo "$(cat "$data/out/$name-perf.how" 2>/dev/null || echo "perf record for $(cat "$data/out/$name-perf.seconds" 2>/dev/null) s while wrk drove the endpoint at C=16"): self time of each function (no call graphs). The processes, % of the samples:"
			echo
			echo "| % of samples | process |"
			echo "|---|---|"
			head -n 8 "$data/out/$name-perf-comm.txt" | awk '{ p = $1; $1 = ""; sub(/^ /, ""); printf "| %s | %s |\n", p, $0 }'
			for g in api:deploy-api pg:postgres; do
				[ -s "$data/out/$name-perf-${g%%:*}.txt" ] || continue
				echo
				echo "Top functions of ${g#*:} (% of its own samples):"
				echo
				echo "| % | object | function |"
				echo "|---|---|---|"
				head -n 15 "$data/out/$name-perf-${g%%:*}.txt" | awk '{ p = $1; d = $2; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); printf "| %s | %s | `%s` |\n", p, d, $0 }'
			done
		fi
		if [ -f "$BENCH_DIR/notes/$name.md" ]; then
			echo
			cat "$BENCH_DIR/notes/$name.md"
		fi
	done < "$data/endpoints.tsv"

	if [ -n "${list_rate:-}" ]; then
		cat <<EOF

<a id="list_latency"></a>

## List deployments: p99 latency at half the peak rate

Target: p99 < $LIST_P99_TARGET_MS ms at half the list's peak rate. The peak is the best endpoint rate of
[list_deployments](#list_deployments) above ($(num "$list_peak") req/s), so the rate asked is $(num "$list_rate") req/s.
wrk has no rate option and wrk2 is not packaged for Debian, so this uses two approximations, ${list_duration:-$DUR} s each:
**paced**, \`bench/lua/paced.lua\` through wrk's \`delay()\` hook: each of 2 threads sends on a fixed
schedule of half the rate, over 16 connections (wrk rounds delays down to whole milliseconds, and
times each request from its actual send, not its slot: no coordinated-omission correction as in
wrk2, which matters only when all 16 connections are busy; compare the rate achieved with the rate
asked); and **closed loop** at 4 connections (each sends again as soon as answered), whatever rate
that gives.

| run | connections | rate asked | rate achieved | p50 | p90 | p99 | errors | other CPU |
|---|---|---|---|---|---|---|---|---|
| paced | 16 | $(num "$list_rate") | $(num "$(res list_latency/paced 16 3)") | $(ms "$(res list_latency/paced 16 4)") | $(ms "$(res list_latency/paced 16 5)") | $(ms "$(res list_latency/paced 16 6)") | $(res list_latency/paced 16 7) | $(other list_latency/paced 16)% |
| closed loop | 4 | – | $(num "$(res list_latency/closed 4 3)") | $(ms "$(res list_latency/closed 4 4)") | $(ms "$(res list_latency/closed 4 5)") | $(ms "$(res list_latency/closed 4 6)") | $(res list_latency/closed 4 7) | $(other list_latency/closed 4)% |

**Verdict (list_latency):** $(list_verdict).
EOF
		[ -f "$BENCH_DIR/notes/list_latency.md" ] && { echo; cat "$BENCH_DIR/notes/list_latency.md"; }
	fi

	if [ -n "${hop2_url:-}" ]; then
		cat <<EOF

<a id="deep_hop"></a>

## Deep next-link hop (100,000 deployments)

Target: following \`rel="next"\` to page 1,000 costs at most ${HOP_MAX_RATIO}× the hop to page 2. The
repository \`$deep_repo\` has 100,000 deployments: with \`per_page=100\`, 1,000 pages. The hop to page 2 is
the next link of page 1, the hop to page 1,000 the next link of page 999 (both carry
\`last_id\`, so the store reads \`id < last_id\` through the index); page 1,000 asked for by number
(OFFSET 99,900) is shown for comparison. The run checks that the next link to page 1,000 answers
the same 100 deployments as \`page=1000\`. Each URL: wrk, 1 thread, 1 connection, ${hop_duration:-$XDUR} s after 1 s
of warm-up. "PostgreSQL" is the list statement's execution time from \`EXPLAIN ANALYZE\` with the
same values (median of 5; it also counts the 100,000 rows for the total and the \`last\` link).

| hop | query | req/s | p50 | p90 | p99 | errors | PostgreSQL | other CPU |
|---|---|---|---|---|---|---|---|---|
| to page 2 (next link) | \`${hop2_url#*\?}\` | $(num "$(res deep_hop/hop2 1 3)") | $(ms "$(res deep_hop/hop2 1 4)") | $(ms "$(res deep_hop/hop2 1 5)") | $(ms "$(res deep_hop/hop2 1 6)") | $(res deep_hop/hop2 1 7) | ${hop2_db_ms:-–} ms | $(other deep_hop/hop2 1)% |
| to page 1,000 (next link) | \`${hop1000_url#*\?}\` | $(num "$(res deep_hop/hop1000 1 3)") | $(ms "$(res deep_hop/hop1000 1 4)") | $(ms "$(res deep_hop/hop1000 1 5)") | $(ms "$(res deep_hop/hop1000 1 6)") | $(res deep_hop/hop1000 1 7) | ${hop1000_db_ms:-–} ms | $(other deep_hop/hop1000 1)% |
| page 1,000 by number | \`${offset1000_url#*\?}\` | $(num "$(res deep_hop/offset1000 1 3)") | $(ms "$(res deep_hop/offset1000 1 4)") | $(ms "$(res deep_hop/offset1000 1 5)") | $(ms "$(res deep_hop/offset1000 1 6)") | $(res deep_hop/offset1000 1 7) | ${offset1000_db_ms:-–} ms | $(other deep_hop/offset1000 1)% |

**Verdict (deep_hop):** $(hop_verdict).
EOF
		[ -f "$BENCH_DIR/notes/deep_hop.md" ] && { echo; cat "$BENCH_DIR/notes/deep_hop.md"; }
	fi

	if [ -n "${cascade10_a:-}" ]; then
		cat <<EOF

<a id="cascade_cost"></a>

## Cascade cost against history

Target: a success status costs the same (within ${CASCADE_MAX_RATIO}×) in an environment with 100,000 prior
deployments as in one with 10. In \`$status_repo\`, environment \`10\` has 10 deployments and environment
\`100000\` has 100,000, all \`inactive\` but the newest; the requests alternate \`success\` between the
last two of the environment (A = ${cascade10_a} and ${cascade10_a}+1, A = ${cascade100000_a:-?} and ${cascade100000_a:-?}+1), so each
deactivates the other one: a cascade of one, counted below. Through the endpoint: wrk, 1 thread,
1 connection, ${XDUR} s after 1 s of warm-up (\`lua/status_success.lua\` with \`BENCH_POOL=1\`); as SQL:
\`sql/status_success.sql\`, pgbench at 1 client for ${XDUR} s.

| environment | endpoint req/s | p50 | p90 | p99 | success / inactive written | pgbench tps | pgbench average latency | success / inactive written |
|---|---|---|---|---|---|---|---|---|
$(for e in 10 100000; do
	echo "| \`$e\` ($(num "$e") deployments) | $(num "$(res cascade_cost/endpoint$e 1 3)") | $(ms "$(res cascade_cost/endpoint$e 1 4)") | $(ms "$(res cascade_cost/endpoint$e 1 5)") | $(ms "$(res cascade_cost/endpoint$e 1 6)") | $(num "$(probe cascade_cost/endpoint$e 1 3)") / $(num "$(probe cascade_cost/endpoint$e 1 4)") | $(num "$(res cascade_cost/pgbench$e 1 3)") | $(ms "$(res cascade_cost/pgbench$e 1 4)") | $(num "$(probe cascade_cost/pgbench$e 1 3)") / $(num "$(probe cascade_cost/pgbench$e 1 4)") |"
done)

Ratios, environment \`100000\` / environment \`10\`: endpoint p50 $(cascade_ratio)×, endpoint mean latency
$(ratio "$(res cascade_cost/endpoint10 1 3)" "$(res cascade_cost/endpoint100000 1 3)")× (from req/s at one connection), pgbench average $(cascade_db_ratio)×.

**Verdict (cascade_cost):** $(cascade_verdict).
EOF
		[ -f "$BENCH_DIR/notes/cascade_cost.md" ] && { echo; cat "$BENCH_DIR/notes/cascade_cost.md"; }
	fi

	if [ -n "${contexts_n:-}" ]; then
		cu=$(res create_unchecked/pgbench "$WORKERS" 3); cc=$(res create_deployment/pgbench "$WORKERS" 3)
		cat <<EOF

<a id="contexts_check"></a>

## Required contexts: the check's cost on create

Target: a create with \`required_contexts\` omitted, on a commit with ${contexts_n} contexts whose latest
status is \`success\` (${contexts_names:-}), runs at ≥ ${CONTEXTS_MIN_RATIO}× the req/s of the create that
checks nothing (\`"required_contexts": []\`). Same repository (\`${create_repo:-bench-create}\`), same sha,
same body otherwise: [create_deployment](#create_deployment) (\`deployment_create_check_all\`: one
statement reads the latest status of each context on the commit and inserts the deployment and its
event only if none failed) against [create_unchecked](#create_unchecked) (\`deployment_create\`);
their sections above compare each with its ceiling. Here the two ran back to back at each C,
alternating (unchecked, checked, unchecked, checked; \`wrk -t2\`, ${contexts_duration:-$XDUR} s each, after a
warm-up), so that both share whatever else the machine was doing; req/s is the mean of a variant's
two runs (each run in brackets), p50 and p99 are those of its first run. Statements: the checked body
$([ "${contexts_sql_checked:-}" = yes ] && echo "runs \`sql/create_deployment.sql\`'s" || echo "was **not** found to run \`sql/create_deployment.sql\`'s"), the unchecked one $([ "${contexts_sql_unchecked:-}" = yes ] && echo "\`sql/create_unchecked.sql\`'s" || echo "**not** \`sql/create_unchecked.sql\`'s") (checked against the workers' log).

| C | \`required_contexts: []\` req/s | omitted, ${contexts_n} contexts req/s | ratio | p50 [] / omitted | p99 [] / omitted | errors [] / omitted | other CPU (the 4 runs) |
|---|---|---|---|---|---|---|---|
$(for c in "${CONCURRENCIES[@]}"; do
	echo "| $c | $(num "$(contexts_rps unchecked "$c" 3)") ($(num "$(res contexts_check/unchecked1 "$c" 3)"), $(num "$(res contexts_check/unchecked2 "$c" 3)")) | $(num "$(contexts_rps checked "$c" 3)") ($(num "$(res contexts_check/checked1 "$c" 3)"), $(num "$(res contexts_check/checked2 "$c" 3)")) | **$(contexts_ratio "$c")** | $(ms "$(res contexts_check/unchecked1 "$c" 4)") / $(ms "$(res contexts_check/checked1 "$c" 4)") | $(ms "$(res contexts_check/unchecked1 "$c" 6)") / $(ms "$(res contexts_check/checked1 "$c" 6)") | $(sum_errors contexts_check/unchecked1 contexts_check/unchecked2 "$c") / $(sum_errors contexts_check/checked1 contexts_check/checked2 "$c") | $(other contexts_check/unchecked1 "$c")%, $(other contexts_check/checked1 "$c")%, $(other contexts_check/unchecked2 "$c")%, $(other contexts_check/checked2 "$c")% |"
done)
$(rows=$(awk -F'\t' '$1 ~ /^contexts_check\// { v = $1; sub(/^contexts_check\//, "", v); sub(/[0-9]+$/, "", v); d[v] += $3; o[v] += $4 }
	END { if ("checked" in d) printf "%d %d %d %d", d["checked"], o["checked"], d["unchecked"], o["unchecked"] }' "$data/probes.tsv")
if [ -n "$rows" ]; then
	read -r dc oc du ou <<<"$rows"
	nc=$(awk -F'\t' '$1 ~ /^contexts_check\/checked/ { n += $8 } END { print n + 0 }' "$data/results.tsv")
	nu=$(awk -F'\t' '$1 ~ /^contexts_check\/unchecked/ { n += $8 } END { print n + 0 }' "$data/results.tsv")
	echo
	echo "Rows: the checked runs inserted $(num "$dc") deployments and $(num "$oc") outbox rows for $(num "$nc") responses counted by wrk, the unchecked runs $(num "$du") and $(num "$ou") for $(num "$nu") (a request still in flight when wrk stops is inserted but not counted)."
fi)
$(if [ -n "$cu" ] && [ -n "$cc" ]; then
	echo
	echo "From the endpoints' sections: pgbench at $WORKERS clients ran the checked create at $(num "$cc") tps and the unchecked one at $(num "$cu") tps ($(ratio "$cc" "$cu")×); ratios to the combined ceiling at C=${CONCURRENCIES[0]} / C=${CONCURRENCIES[1]}: checked $(endpoint_ratio create_deployment "${CONCURRENCIES[0]}") / $(endpoint_ratio create_deployment "${CONCURRENCIES[1]}"), unchecked $(endpoint_ratio create_unchecked "${CONCURRENCIES[0]}") / $(endpoint_ratio create_unchecked "${CONCURRENCIES[1]}")."
fi)

**Verdict (contexts_check):** $(contexts_verdict).
EOF
		[ -f "$BENCH_DIR/notes/contexts_check.md" ] && { echo; cat "$BENCH_DIR/notes/contexts_check.md"; }
	fi

	if [ -n "$kept" ]; then
		echo
		printf '%s\n' "$kept"
	fi
} > "$output.tmp"
mv "$output.tmp" "$output"
