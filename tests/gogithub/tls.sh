#!/bin/sh
# The go-github tests over HTTPS: run-test.sh starts this stack with
# DEPLOY_TLS=1, so DEPLOY_URL is https://localhost:PORT and every URL the
# tests check must start with it. Go trusts the stack's CA (and only it)
# through SSL_CERT_FILE.
[ -n "${DEPLOY_CA:-}" ] || { echo "DEPLOY_CA is not set: run through run-with-stack.sh with DEPLOY_TLS=1" >&2; exit 1; }
case $DEPLOY_URL in
https://*) ;;
*) echo "DEPLOY_URL $DEPLOY_URL is not https" >&2; exit 1 ;;
esac
SSL_CERT_FILE="$DEPLOY_CA" exec "$(dirname "$0")/gogithub.sh"
