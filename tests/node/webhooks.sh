#!/bin/sh
# The webhook scenario (webhooks.scenario.mjs) on a stack of its own: it
# runs deploy-dispatch, which the other client tests must not have.
here=$(cd "$(dirname "$0")" && pwd)
src_node="${DEPLOY_SRC:-$here/../..}/tests/node"
[ -d "$src_node/node_modules" ] || { echo "npm packages missing: scripts/test installs them" >&2; exit 77; }
exec node --test --test-reporter=tap "$src_node"/webhooks.scenario.mjs
