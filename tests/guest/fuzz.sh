#!/bin/sh
# Runs in the guest (vm/run): the reference driver fuzzed (scenarios/fuzz/ref.ini, 60 s, with the
# fentry backend, then again with kprobes), then the kernel log must be free of splats
# (dmesg_clean.sh says which). The guest boots with the slab checkers Debian's kernels have
# built in but off (the Makefile's FUZZ_APPEND): SLUB red zones, poisoning and consistency
# checks (slub_debug=FZPU) and KFENCE sampling, so that memory damage from a command shows in
# the log; the first points check they are on. KTAP on stdout.
echo "TAP version 13"
echo "1..2"
status=0
if [ "$(cat /sys/kernel/slab/kmalloc-64/sanity_checks 2>/dev/null)" = 1 ] &&
	[ "$(cat /sys/kernel/slab/kmalloc-64/red_zone 2>/dev/null)" = 1 ] &&
	[ "$(cat /sys/kernel/slab/kmalloc-64/poison 2>/dev/null)" = 1 ]; then
	echo "ok 1 - SLUB consistency checks, red zones and poisoning are on ($(uname -r))"
else
	echo "not ok 1 - SLUB debugging is off: boot with slub_debug=FZPU (cmdline: $(cat /proc/cmdline))"
	status=1
fi
interval=$(cat /sys/module/kfence/parameters/sample_interval 2>/dev/null || echo none)
if [ ! -d /sys/module/kfence ]; then
	echo "ok 2 - KFENCE sampling # SKIP $(uname -r) is built without KFENCE (Debian's 6.1)"
elif [ "$interval" != none ] && [ "$interval" != 0 ]; then
	echo "ok 2 - KFENCE samples an allocation every $interval ms"
else
	echo "not ok 2 - KFENCE is off (sample_interval $interval): boot with kfence.sample_interval=N"
	status=1
fi
insmod /lib/modules/ioucmd/ioucmd_ref.ko || { echo "TAP version 13"; echo "1..1"
	echo "not ok 1 - insmod ioucmd_ref"; exit 1; }
ioucmd run /scenarios/fuzz/ref.ini || status=1
# the same seeds under the kprobe backend (other programs, other nesting rules: a kprobe does
# not run inside another kprobe program); every kernel the tests boot has kprobes
sed 's/^backend *=.*/backend = kprobe/' /scenarios/fuzz/ref.ini >/tmp/ref-kprobe.ini
ioucmd run /tmp/ref-kprobe.ini || status=1
sh /tests/guest/dmesg_clean.sh "60 s of fuzzing" || status=1
exit $status
