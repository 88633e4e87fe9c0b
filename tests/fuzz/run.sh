#!/usr/bin/env bash
# Builds the libFuzzer targets (configure CC=clang --enable-fuzzing, in
# build/fuzz) and runs each for SECONDS (default 10) on its corpus: the
# seeds of tests/fuzz/corpus/TARGET plus what earlier runs found, kept in
# build/fuzz/corpus/TARGET. Fails when any target crashes, leaks, trips
# ASan/UBSan or a fuzz_require(); the input that did is saved in
# build/fuzz/findings/ (docs/fuzzing.md says how to replay it).
#   tests/fuzz/run.sh            what scripts/test runs
#   tests/fuzz/run.sh 3600       an hour per target
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

seconds=${1:-10}
case "$seconds" in '' | *[!0-9]*) die "usage: tests/fuzz/run.sh [SECONDS per target]" ;; esac
targets="request credentials pagination bodies hook_url hook_target ratelimit graphql"
build="$DEPLOY_SRC/build/fuzz"

deploy_install_packages
deploy_build "$build" CC=clang --enable-fuzzing
mkdir -p "$build/corpus" "$build/findings" "$build/logs"

total=0 failed=()
for t in $targets; do
	corpus="$build/corpus/$t"
	log="$build/logs/$t.log"
	mkdir -p "$corpus"
	status=0
	# New inputs go to the first folder (the build's); the seeds are read only.
	# -max_len: room for strings past the validators' limits (2,048 for URLs).
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$build/findings/$t-" \
		"$corpus" "$DEPLOY_SRC/tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	total=$((total + runs))
	if [ $status -ne 0 ]; then
		failed+=("$t")
		note "fuzz_$t failed (exit $status); its log, $log, ends:"
		tail -n 40 "$log" >&2
	fi
	echo "fuzz_$t: $runs executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs" \
		"$([ $status -eq 0 ] && echo ok || echo FAILED)"
done
echo "fuzz: $total executions in all, ${#failed[@]} of $(wc -w <<<"$targets") targets failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
