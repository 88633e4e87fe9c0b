#!/usr/bin/env bash
# What a list costs as history grows (issue 12, item 1): page 1, a page
# 1,000 deep reached the way clients do (the rel="next" link's keyset hint),
# and rel="last", for each filter, on a repository of 1,000 deployments and
# on one of 100,000 (older than another repository's 100,000, as a quiet
# repository's are), and for the statuses of a deployment with 100 and with
# 10,000. The figure is the worker's own time per request (its access log's
# duration_ms), the median of REQUESTS after a warm-up, so a busy machine
# moves it less than a rate. The stack is the one scripts/run starts
# (bench/stack.sh). Writes docs/performance.md's "Lists and history".
#   bench/lists.sh [--bin DIR] [--output FILE]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"
MEASURE="$BENCH_DIR/measure.py"
REQUESTS=31 TARGET=1.5 PER_PAGE=30
source "$BENCH_DIR/stack.sh"
bench_options "$@"
bench_stack "$bin"

# Two deployments of the list repository with 100 and 10,000 statuses.
psql_q "INSERT INTO deployment_statuses (deployment_id, state, creator_id, description, environment,
        target_url, log_url, environment_url, created_at, updated_at)
        SELECT d.id, 'in_progress', d.creator_id, 'Step ' || g, d.environment, '', '', '', now(), now()
          FROM (SELECT id, creator_id, environment, row_number() OVER (ORDER BY id) AS k
                  FROM deployments WHERE repository_id = (SELECT id FROM repositories WHERE name = 'list')
                 ORDER BY id LIMIT 2) d,
               generate_series(1, CASE d.k WHEN 1 THEN 100 ELSE 10000 END) g
         ORDER BY d.id, g" >/dev/null
# Vacuumed as autovacuum leaves a table once a bulk load has settled, so
# that no case is measured while it works through the new rows.
psql_q "VACUUM ANALYZE deployments, deployment_statuses" >/dev/null
few=$(psql_q "SELECT deployment_id FROM status_totals WHERE n = 100")
many=$(psql_q "SELECT deployment_id FROM status_totals WHERE n = 10000")

# median_ms PATH: the worker's median time for PATH over REQUESTS requests.
median_ms() {
	local path=$1 i
	for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -H "Authorization: token $token" "$url$path"; done
	for i in $(seq 1 "$REQUESTS"); do
		curl -s -o /dev/null -H "Authorization: token $token" "$url$path"
		grep 'msg=request' "$data/log/deploy-api.log" | tail -n 1 | sed -n 's/.* duration_ms=\([0-9.]*\).*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# The keyset hint the rel="next" link of page DEPTH carries: the id it ends at.
hint() { psql_q "SELECT id FROM ($1) l ORDER BY id DESC OFFSET $(( $2 * PER_PAGE - 1 )) LIMIT 1"; }
# One row: the case, its time small and large, the ratio, the verdict.
rows=()
compare() {
	local what=$1 small=$2 large=$3 a b
	a=$(median_ms "$small") b=$(median_ms "$large")
	rows+=("| $what | $a | $b | $(python3 -c "print(f'{$b / $a:.2f}')") |")
	note "$what: $a ms, $b ms"
}
# list_case NAME QUERY WHERE [uncounted]: an uncounted list's Link has no
# rel="last" (docs/architecture.md, Lists), so no client asks for it.
list_case() {
	local name=$1 query=$2 where=$3 counted=${4:-counted} base n_small last_small last_large full_small small_ids large_ids
	base="/api/v3/repos/bench"
	small_ids="SELECT id FROM deployments WHERE repository_id = (SELECT id FROM repositories WHERE name = 'list')$where"
	large_ids="SELECT id FROM deployments WHERE repository_id = (SELECT id FROM repositories WHERE name = 'deep')$where"
	n_small=$(psql_q "SELECT count(*) FROM ($small_ids) l")
	last_small=$(( (n_small + PER_PAGE - 1) / PER_PAGE ))
	last_large=$(( ($(psql_q "SELECT count(*) FROM ($large_ids) l") + PER_PAGE - 1) / PER_PAGE ))
	compare "$name, page 1" "$base/list/deployments?per_page=$PER_PAGE$query" \
		"$base/deep/deployments?per_page=$PER_PAGE$query"
	if [ "$last_large" -gt 1000 ]; then
		# The small repository's deepest full page (a last page of a few
		# rows costs less for its size, not for its depth) against the
		# 1,000th, both reached through the next link.
		full_small=$(( n_small / PER_PAGE ))
		compare "$name, rel=\"next\" to page $full_small / 1,000" \
			"$base/list/deployments?per_page=$PER_PAGE$query&page=$full_small&last_id=$(hint "$small_ids" $((full_small - 1)))" \
			"$base/deep/deployments?per_page=$PER_PAGE$query&page=1000&last_id=$(hint "$large_ids" 999)"
	fi
	[ "$counted" = counted ] || return 0
	compare "$name, rel=\"last\" (page $last_small / $last_large)" \
		"$base/list/deployments?per_page=$PER_PAGE$query&page=$last_small" \
		"$base/deep/deployments?per_page=$PER_PAGE$query&page=$last_large"
}
sha=$(psql_q "SELECT sha FROM deployments WHERE repository_id = (SELECT id FROM repositories WHERE name = 'deep') ORDER BY id LIMIT 1")
list_case "all" "" ""
list_case "environment" "&environment=production" " AND environment = 'production'"
list_case "ref" "&ref=main" " AND ref = 'main'" uncounted
list_case "task" "&task=deploy" " AND task = 'deploy'" uncounted
list_case "environment and ref" "&environment=production&ref=main" \
	" AND environment = 'production' AND ref = 'main'" uncounted
list_case "environment and task" "&environment=production&task=deploy" \
	" AND environment = 'production' AND task = 'deploy'" uncounted
list_case "sha" "&sha=$sha" " AND sha = '$sha'" uncounted
statuses="/api/v3/repos/bench/list/deployments"
compare "statuses, page 1" "$statuses/$few/statuses?per_page=$PER_PAGE" "$statuses/$many/statuses?per_page=$PER_PAGE"
compare "statuses, rel=\"next\" to page 3 / 300" \
	"$statuses/$few/statuses?per_page=$PER_PAGE&page=3&last_id=$(hint "SELECT id FROM deployment_statuses WHERE deployment_id = $few" 2)" \
	"$statuses/$many/statuses?per_page=$PER_PAGE&page=300&last_id=$(hint "SELECT id FROM deployment_statuses WHERE deployment_id = $many" 299)"
compare "statuses, rel=\"last\" (page 4 / 334)" "$statuses/$few/statuses?per_page=$PER_PAGE&page=4" \
	"$statuses/$many/statuses?per_page=$PER_PAGE&page=334"

worst=$(printf '%s\n' "${rows[@]}" | awk -F'|' '{ if ($5 + 0 > w) w = $5 + 0 } END { print w }')
verdict=$("$MEASURE" verdict "$worst" "<" "$TARGET")
{
	cat <<SECTION
## Lists and history

Measured by \`bench/lists.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores; commit $(git -C "$DEPLOY_SRC" describe --always --dirty 2>/dev/null || echo unknown)), the stack as
\`scripts/run\` starts it. Each figure is the worker's own time for one request (its log's
\`duration_ms\`), the median of $REQUESTS after 8 of warm-up, at $PER_PAGE per page. "Small" is a repository of
1,000 deployments (or a deployment of 100 statuses), "large" one of 100,000 whose deployments
are all older than another repository's 100,000 (or a deployment of 10,000 statuses). Deep pages
are reached as clients reach them, through the \`rel="next"\` link and its \`last_id\` hint; the
small repository's deep page is its deepest full one.
Lists filtered by anything but the environment alone are not counted, so their \`Link\` has no
\`rel="last"\` (docs/architecture.md, "Lists"): no row for it.

| list | small, ms | large, ms | large / small |
|---|---|---|---|
SECTION
	printf '%s\n' "${rows[@]}"
	echo
	echo "Worst: ${worst}x (target: within ${TARGET}x: $verdict)."
} | "$MEASURE" section "$output" "## Lists and history"
note "wrote the \"Lists and history\" section of $output"
