#!/bin/sh
# Runs the node:test files in this folder against the stack that
# run-with-stack.sh started (DEPLOY_URL, DEPLOY_DB, DEPLOY_BIN).
here=$(cd "$(dirname "$0")" && pwd)
src_node="${DEPLOY_SRC:-$here/../..}/tests/node"
# scripts/test installs the packages before it builds (and stops if it
# cannot); a tree without them (make distcheck's copy) skips these tests.
[ -d "$src_node/node_modules" ] || { echo "npm packages missing: scripts/test installs them" >&2; exit 77; }
exec node --test --test-reporter=tap "$src_node"/*.test.mjs
