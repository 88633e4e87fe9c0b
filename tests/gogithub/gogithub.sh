#!/bin/sh
# Runs the go-github tests in this folder (go test, GOPATH mode over
# Debian's golang-github-google-go-github-dev: no module proxy is needed)
# against the stack that run-with-stack.sh started (DEPLOY_URL, DEPLOY_DB,
# DEPLOY_BIN, DEPLOY_DATA). tls.sh runs them again over HTTPS.
here=$(cd "$(dirname "$0")" && pwd)
src="${DEPLOY_SRC:-$here/../..}"
gopath=/usr/share/gocode
# scripts/test installs both packages (DEPLOY_DEBIAN_PACKAGES); a machine
# without them skips these tests.
command -v go >/dev/null || { echo "go missing: scripts/test installs golang-go" >&2; exit 77; }
[ -d "$gopath/src/github.com/google/go-github/github" ] ||
	{ echo "go-github missing: scripts/test installs golang-github-google-go-github-dev" >&2; exit 77; }
GOGITHUB_GIT_DIR="$DEPLOY_DATA/gogithub.git"
bash -c '. "$1/scripts/lib.sh" && demo_git_repo "$2"' demo "$src" "$GOGITHUB_GIT_DIR" || exit 1
# The build cache lives in the build folder (make's working directory),
# never in the source tree; nothing is fetched.
export GOGITHUB_GIT_DIR GO111MODULE=off GOPATH="$gopath" GOCACHE="$PWD/gogithub/go-build" GOFLAGS= GOPROXY=off
# GOPATH mode takes a package by a relative path only.
cd "$src/tests/gogithub" && exec go test -count=1 -v .
