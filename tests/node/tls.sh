#!/bin/sh
# The client tests over HTTPS: run-test.sh starts this stack with
# DEPLOY_TLS=1 (nginx with TLS, deploy-api without --base-url, so its URLs
# come from nginx's HTTPS parameter). octokit trusts the stack's CA through
# NODE_EXTRA_CA_CERTS; every *.test.mjs runs as over HTTP, then
# tls.scenario.mjs checks the URLs rendered and webhooks to an HTTPS
# receiver whose certificate has a CA of its own (made here).
here=$(cd "$(dirname "$0")" && pwd)
src_node="${DEPLOY_SRC:-$here/../..}/tests/node"
[ -d "$src_node/node_modules" ] || { echo "npm packages missing: scripts/test installs them" >&2; exit 77; }
[ -n "${DEPLOY_CA:-}" ] || { echo "DEPLOY_CA is not set: run through run-with-stack.sh with DEPLOY_TLS=1" >&2; exit 1; }
RECEIVER_TLS="$DEPLOY_DATA/receiver-tls"
bash -c '. "$DEPLOY_SRC/scripts/lib.sh" && tls_certificates "$1"' tls "$RECEIVER_TLS" || exit 1
export RECEIVER_TLS NODE_EXTRA_CA_CERTS="$DEPLOY_CA"
exec node --test --test-reporter=tap "$src_node"/*.test.mjs "$src_node"/tls.scenario.mjs
