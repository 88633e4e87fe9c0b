#!/bin/sh
# test_pygithub.py over HTTPS: run-test.sh starts this stack with
# DEPLOY_TLS=1, so DEPLOY_URL is https://localhost:PORT and every URL the
# test checks must start with it. requests, under PyGithub, trusts the
# stack's CA through REQUESTS_CA_BUNDLE.
[ -n "${DEPLOY_CA:-}" ] || { echo "DEPLOY_CA is not set: run through run-with-stack.sh with DEPLOY_TLS=1" >&2; exit 1; }
case $DEPLOY_URL in
https://*) ;;
*) echo "DEPLOY_URL $DEPLOY_URL is not https" >&2; exit 1 ;;
esac
REQUESTS_CA_BUNDLE="$DEPLOY_CA" exec "$(dirname "$0")/test_pygithub.py"
