#!/bin/sh
# dmesg_clean.sh WHAT — KTAP: the kernel log was read, and has no splat after WHAT.
#
# What a splat can be depends on the kernel's own checkers. Debian's cloud kernels (6.1, 6.12,
# sid) have no LOCKDEP, PROVE_LOCKING, KASAN or DEBUG_ATOMIC_SLEEP, so lock-order and
# sleep-in-atomic bugs cannot show here. What they do report, and this catches: oopses and
# general protection faults, BUG() and WARN(), list corruption (DEBUG_LIST with
# BUG_ON_DATA_CORRUPTION), hardened-usercopy and FORTIFY reports, soft and hard lockups, hung
# tasks, RCU stalls, UBSAN (sid), and, where the boot enabled them (the fuzz boots with
# slub_debug=FZPU and kfence.sample_interval), slab red-zone and poison damage and KFENCE's
# use-after-free and out-of-bounds reports. Exit 0 clean, 1 not (kselftest).
what=${1:?usage: dmesg_clean.sh WHAT}
echo "TAP version 13"
echo "1..2"
# a line of our own, then the log: finding it proves the log read is this boot's and current
marker="ioucmd-dmesg-marker-$$-$(cat /proc/sys/kernel/random/uuid 2>/dev/null)"
echo "$marker" >/dev/kmsg
log=/tmp/dmesg_clean.$$
if dmesg >"$log" 2>&1 && grep -q "$marker" "$log"; then
	echo "ok 1 - the kernel log was read ($(wc -l <"$log") lines, ends with our marker)"
else
	echo "not ok 1 - the kernel log could not be read after $what:"
	tail -5 "$log" | sed 's/^/# /'
	echo "not ok 2 - the kernel log has no splat after $what (not read)"
	exit 1
fi
splat='Oops|general protection|WARNING:|BUG:|BUG [a-z0-9_-]+ \(|kernel BUG|corruption|usercopy: Kernel memory|detected buffer overflow|soft lockup|hard LOCKUP|rcu.*stall|blocked for more than|KFENCE|UBSAN|Call Trace|Kernel panic'
if grep -E "$splat" "$log" >/dev/null; then
	echo "not ok 2 - the kernel log has a splat after $what ($(uname -r)):"
	grep -E -A20 "$splat" "$log" | head -60 | sed 's/^/# /'
	exit 1
fi
echo "ok 2 - kernel log clean after $what ($(uname -r))"
