#!/bin/sh
# automake's LOG_COMPILER: integration, client (octokit, PyGithub) and fault tests get a private
# stack, unit tests run as they are.
case "$1" in
*/faults/scripts_run_*|faults/scripts_run_*) exec "$@" ;;  # starts scripts/run itself
*/integration/*|integration/*|*/node/*|node/*|*/pygithub/*|pygithub/*|*/faults/*|faults/*) exec "$(dirname "$0")/integration/run-with-stack.sh" "$@" ;;
*) exec "$@" ;;
esac
