#!/bin/sh
# dmesg_clean.sh WHAT — one KTAP test point: the kernel log has no oops, WARN, BUG or lockdep
# splat after WHAT. Exit 0 clean, 1 not (kselftest).
if dmesg | grep -E 'Oops|WARNING:|BUG:|lockdep|Call Trace' >/dev/null; then
	echo "not ok 1 - the kernel log has a splat after $1 ($(uname -r)):"
	dmesg | grep -E -A20 'Oops|WARNING:|BUG:|lockdep' | head -60 | sed 's/^/# /'
	exit 1
fi
echo "ok 1 - kernel log clean after $1 ($(uname -r))"
