#!/bin/sh
# automake's LOG_COMPILER: integration, client (octokit, go-github, PyGithub) and fault tests
# get a private stack, several-host tests a topology of namespaces, unit tests run as they are.
case "$1" in
*/faults/scripts_run_*|faults/scripts_run_*) exec "$@" ;;  # starts scripts/run itself
# Hooks as in production: external hosts only.
*/integration/check_hostile|integration/check_hostile)
	DEPLOY_HOOK_ALLOWED_HOSTS=external exec "$(dirname "$0")/integration/run-with-stack.sh" "$@" ;;
# Several hosts in network namespaces of their own.
*/multihost/*|multihost/*) exec "$(dirname "$0")/multihost/run-with-hosts.sh" "$@" ;;
# The client tests over HTTPS.
*/node/tls.sh|node/tls.sh|*/gogithub/tls.sh|gogithub/tls.sh|*/pygithub/tls.sh|pygithub/tls.sh)
	DEPLOY_TLS=1 exec "$(dirname "$0")/integration/run-with-stack.sh" "$@" ;;
*/integration/*|integration/*|*/node/*|node/*|*/gogithub/*|gogithub/*|*/pygithub/*|pygithub/*|\
*/faults/*|faults/*)
	exec "$(dirname "$0")/integration/run-with-stack.sh" "$@" ;;
*) exec "$@" ;;
esac
