#!/bin/sh
# The octokit suite (tests/node) through the balancer, against three API
# hosts: what a client sees must not depend on which host answers.
exec "${DEPLOY_SRC:-$(dirname "$0")/../..}/tests/node/octokit.sh"
