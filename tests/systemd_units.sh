#!/bin/sh
# The systemd units this build installs (systemd/*.service.in, filled in by
# make): systemd-analyze verify finds nothing to say about them, their
# hardening keeps systemd's exposure score at 1.5 or below, their Type
# matches the build (notify only with libsystemd, which sends READY=1), and
# systemd-sysusers accepts the account's file. None of it needs a running
# systemd. verify insists that the programs exist, so it reads copies whose
# Exec lines name this build's programs instead of the installed ones.
set -eu
: "${DEPLOY_SRC:?}" "${DEPLOY_BIN:?}" "${DEPLOY_UNITS:?}" "${DEPLOY_BINDIR:?}" "${DEPLOY_WITH_SYSTEMD:?}"

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not found (Debian package systemd)"
	exit 77
fi

tmp=$(mktemp -d /tmp/deploy-units.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

case $DEPLOY_WITH_SYSTEMD in
yes) want_type=notify ;;
*) want_type=exec ;;
esac

for name in deploy-api deploy-dispatch; do
	unit=$DEPLOY_UNITS/$name.service
	[ -f "$unit" ] || { fail "$unit was not built"; continue; }
	if grep -n '@[A-Za-z_]*@' "$unit"; then
		fail "$name.service: fields left unfilled"
	fi
	grep -qx "Type=$want_type" "$unit" || fail "$name.service: not Type=$want_type (built with systemd: $DEPLOY_WITH_SYSTEMD)"
	grep -qx "ExecStart=$DEPLOY_BINDIR/$name.*" "$unit" || fail "$name.service: ExecStart is not $DEPLOY_BINDIR/$name"
	sed "s|^\(Exec[A-Za-z]*=\)$DEPLOY_BINDIR/|\1$DEPLOY_BIN/|" "$unit" > "$tmp/$name.service"

	# verify exits 0 after some complaints (an unknown key is only
	# "ignoring"): any line about our unit fails too.
	status=0
	systemd-analyze verify "$tmp/$name.service" > "$tmp/verify.out" 2>&1 || status=$?
	if [ $status -ne 0 ] || grep -q "$name.service" "$tmp/verify.out"; then
		cat "$tmp/verify.out"
		fail "$name.service: systemd-analyze verify (exit $status)"
	else
		echo "ok: $name.service passes systemd-analyze verify"
	fi

	# The score is out of 10; --threshold takes it times ten.
	if systemd-analyze security --offline=yes --threshold=15 "$tmp/$name.service" > "$tmp/security.out" 2>&1; then
		echo "ok: $name.service: $(grep 'Overall exposure' "$tmp/security.out")"
	else
		grep -E '✗|Overall' "$tmp/security.out" || cat "$tmp/security.out"
		fail "$name.service: exposure above 1.5"
	fi
done

if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/root"
	if systemd-sysusers --dry-run --root="$tmp/root" "$DEPLOY_SRC/systemd/sysusers.d/deploy-api.conf" \
		> "$tmp/sysusers.out" 2>&1 && grep -q "Creating user 'deploy-api'" "$tmp/sysusers.out"; then
		echo "ok: systemd-sysusers creates the deploy-api account"
	else
		cat "$tmp/sysusers.out"
		fail "systemd-sysusers rejects systemd/sysusers.d/deploy-api.conf"
	fi
fi

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
