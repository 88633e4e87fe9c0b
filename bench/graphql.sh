#!/usr/bin/env bash
# GraphQL against REST on what Backstage's github-deployments plugin asks
# (shared/spec/graphql.md 9.3): its deployments query, the last 30 with their
# last 5 statuses, against GET .../deployments?per_page=30 (the same 30 rows
# the REST way), on a repository of 100,000 deployments (bench/provision.sql's
# deep repository) with 200,000 statuses, on the stack as scripts/run starts it (dispatcher on,
# default options, a token with budget to spare). ROUNDS rounds of each for
# DUR seconds at 16 connections, alternated; the medians and their ratio
# (issue 14's target: at least 0.5) become docs/performance.md's "GraphQL"
# section (bench/measure.py section).
#   bench/graphql.sh [--bin DIR] [--output FILE] [--quick]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../scripts/lib.sh"
MEASURE="$BENCH_DIR/measure.py"
ROUNDS=3 CONNECTIONS=16 TARGET=0.5 DUR=10
source "$BENCH_DIR/stack.sh"
bench_options "$@"
[ "$BENCH_QUICK" = 1 ] && ROUNDS=1 DUR=3
bench_stack "$bin"
# The deep repository's history as deploys leave it: a success status on each
# deployment, then an inactive one on all but the active ones (200,000 in
# all), so that the statuses the query asks for come from a table of a real
# size through its index.
note "inserting statuses of the deep repository"
psql_q "INSERT INTO deployment_statuses (deployment_id, state, creator_id, environment, log_url,
            created_at, updated_at)
        SELECT d.id, s.state, d.creator_id, d.environment, 'https://ci.example/' || d.id || '/' || s.n,
               d.created_at + s.n * interval '1 second', d.created_at + s.n * interval '1 second'
          FROM deployments d JOIN repositories r ON r.id = d.repository_id AND r.name = 'deep',
               LATERAL (VALUES (1, 'success'), (2, 'inactive')) s (n, state)
         WHERE s.state = 'success' OR d.latest_state = 'inactive'
         ORDER BY d.id, s.n; ANALYZE deployment_statuses, status_totals" >/dev/null

# Both answer what they should before they are timed.
nodes=$(curl -s -H "Authorization: token $token" -H "Content-Type: application/json" \
	--data-binary "@$BENCH_DIR/body/graphql_backstage.json" "$url/api/graphql" |
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert "errors" not in d, d; print(len(d["data"]["repository"]["deployments"]["nodes"]))') \
	|| die "the GraphQL query failed"
[ "$nodes" = 30 ] || die "the GraphQL query gave $nodes deployments, not 30"
rows=$(curl -s -H "Authorization: token $token" "$url/api/v3/repos/bench/deep/deployments?per_page=30" |
	python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
[ "$rows" = 30 ] || die "the REST list gave $rows deployments, not 30"

export BENCH_TOKEN=$token BENCH_DIR BENCH_LUA_DIR="$BENCH_DIR/lua"
results="$data/results.tsv"
run() {
	local key=$1 lua=$2 path=$3 raw="$data/$1-$round.wrk"
	wrk -t2 -c"$CONNECTIONS" -d"${DUR}s" --latency -s "$BENCH_DIR/lua/$lua" "$url$path" > "$raw" 2>&1 || true
	note "$key, round $round: $("$MEASURE" wrk-result "$key" "$CONNECTIONS" "$raw" "$results")"
}
for round in $(seq 1 "$ROUNDS"); do
	run rest get.lua "/api/v3/repos/bench/deep/deployments?per_page=30"
	run graphql graphql.lua /api/graphql
done
median() { awk -v k="$1" '$1 == k { print $3 }' "$results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rest=$(median rest) graphql=$(median graphql)
ratio=$(python3 -c "print(f'{$graphql / $rest:.2f}')")
verdict=$("$MEASURE" verdict "$ratio" ">=" "$TARGET")
"$MEASURE" section "$output" "## GraphQL" <<SECTION
## GraphQL

Measured by \`bench/graphql.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average
$(cut -d' ' -f1-3 /proc/loadavg) after; commit $(git -C "$DEPLOY_SRC" describe --always --dirty 2>/dev/null || echo unknown)), the stack as \`scripts/run\` starts it
(dispatcher on, default options), a repository of 100,000 deployments and 200,000 statuses, wrk at $CONNECTIONS
connections, the median of $ROUNDS rounds of $DUR s each, alternated.

| request | req/s |
|---|---|
| REST \`GET /repos/{owner}/{repo}/deployments?per_page=30\` | $rest |
| GraphQL: Backstage's deployments query (\`last: 30\`, \`statuses(last: 5)\`; graphql.md 9.3) | $graphql |

GraphQL against REST: **$ratio** (target at least $TARGET: $verdict).
SECTION
note "wrote the \"GraphQL\" section of $output"
