#!/bin/sh
# automake's LOG_COMPILER: integration tests get a private stack, unit tests
# run as they are.
case "$1" in
*/integration/*|integration/*|*/node/*|node/*) exec "$(dirname "$0")/integration/run-with-stack.sh" "$@" ;;
*) exec "$@" ;;
esac
