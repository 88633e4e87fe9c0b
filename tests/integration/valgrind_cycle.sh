#!/usr/bin/env bash
# A full request cycle under valgrind: the stack's deploy-api is replaced by
# one running under memcheck (one worker), every kind of request is made once,
# the server is stopped with SIGTERM, and any leak or memory error in the
# master or the worker fails the test. Run by run-with-stack.sh, which
# exports DEPLOY_URL, DEPLOY_DB, DEPLOY_BIN, DEPLOY_DATA and DEPLOY_SRC.
set -euo pipefail
source "$DEPLOY_SRC/scripts/lib.sh"

command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
# AddressSanitizer and valgrind cannot watch the same process. (grep reads
# all of nm's output: with -q it would stop early and, under pipefail, the
# pipeline would fail on nm's SIGPIPE.)
if nm "$DEPLOY_BIN/deploy-api" 2>/dev/null | grep __asan_init >/dev/null; then
	echo "sanitizer build: skipped"
	exit 77
fi

ctl() { "$DEPLOY_BIN/deployctl" --db "$DEPLOY_DB" "$@"; }
ctl repo create vg/r >/dev/null
token=$(ctl token create vg)
stop_pidfile "$DEPLOY_DATA/run/deploy-api.pid"
logs="$DEPLOY_DATA/log/valgrind"
mkdir -p "$logs"
valgrind --trace-children=yes --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --log-file="$logs/vg.%p.log" \
	"$DEPLOY_BIN/deploy-api" --listen "unix:$DEPLOY_DATA/run/api.sock" --db "$DEPLOY_DB" \
	--workers 1 >>"$DEPLOY_DATA/log/deploy-api.log" 2>&1 &
vg_pid=$!
wait_http "$DEPLOY_URL/healthz" 60 || { echo "deploy-api under valgrind did not start"; exit 1; }

u="$DEPLOY_URL/repos/vg/r"
sha=0123456789abcdef0123456789abcdef01234567
call() { curl -s -o /dev/null -w '%{http_code} ' -H "Authorization: token $token" "$@"; }
for round in 1 2; do
	call "$u"
	call "$DEPLOY_URL/user"
	call -X POST "$u/deployments" -d "{\"ref\":\"$sha\",\"payload\":{\"a\":[1,\"x\"]}}"
	call "$u/deployments?per_page=1&environment=production"
	call "$u/deployments/1"
	call -X POST "$u/deployments/1/statuses" -d '{"state":"success","log_url":"http://l"}'
	call "$u/deployments/1/statuses"
	call "$u/deployments/1/statuses/1"
	call -X POST "$u/hooks" -d '{"config":{"url":"http://127.0.0.1:9/"},"events":["*"]}'
	call -X PATCH "$u/hooks/1" -d '{"add_events":["deployment"]}'
	call -X POST "$u/hooks/1/pings"
	call "$u/hooks/1/deliveries"
	call "$u/hooks/1/deliveries/1"
	call -X POST "$u/dispatches" -d '{"event_type":"go","client_payload":{"k":1}}'
	call -X POST "$u/deployments" -d '{bad json'
	call -X POST "$u/deployments" -d '{"ref":5}'
	call -H "If-None-Match: *" "$u"
	curl -s -o /dev/null -H "Authorization: token wrong" "$u"
	call -X DELETE "$u/deployments/1"
	call "$DEPLOY_URL/no/such/route"
done
echo
kill -TERM "$vg_pid"
wait "$vg_pid" || true

status=0
for log in "$logs"/vg.*.log; do
	if ! grep -q "ERROR SUMMARY: 0 errors" "$log"; then
		echo "--- $log"
		cat "$log"
		status=1
	fi
done
[ $status -eq 0 ] && echo "valgrind: no leaks, no errors in $(ls "$logs" | wc -l) processes"
# Give the stack its ordinary server back for the harness to stop.
api_start "$DEPLOY_DATA" "$DEPLOY_BIN" --workers 4
exit $status
