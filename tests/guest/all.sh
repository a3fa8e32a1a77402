#!/bin/sh
# Runs in the guest (vm/run): every guest suite that can share one boot. KTAP on stdout.
# The reference driver's module is at /lib/modules/ioucmd/ioucmd_ref.ko, ioucmd on PATH.
# /out (vm/run --out) receives what the host checks afterwards (tests/host/guest_reports.sh):
# the --events trace and the report of tests/guest/events.ini, and trace --prom's textfiles.
# vm/run --nvme: the passthrough char device shows up about a second after init
i=0; while [ ! -e /dev/ng0n1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
status=0
echo "TAP version 13"
echo "1..1"
if [ ! -f /lib/modules/ioucmd/ioucmd_ref.ko ]; then
	# make driver-all builds it for every kernel the tests boot: its absence is a failure, and
	# without it nothing below would test the driver
	echo "not ok 1 - reference driver built for $(uname -r): /lib/modules/ioucmd/ioucmd_ref.ko is missing (make driver-all)"
	exit 1
fi
if ! insmod /lib/modules/ioucmd/ioucmd_ref.ko; then
	echo "not ok 1 - insmod ioucmd_ref ($(uname -r))"
	exit 1
fi
echo "ok 1 - insmod ioucmd_ref ($(uname -r))"
# Where the kernel preempts anywhere (sid's 7.x: PREEMPT_LAZY) a fentry program can be
# preempted halfway: the tracer's auto takes kprobe there, and a pinned fentry trace hung this
# guest (trace_filters, 7.2). The fentry suites say so as a skip; kprobe runs them all.
preempt=$(sed -n 's/.*(\(.*\)).*/\1/p' /sys/kernel/debug/sched/preempt 2>/dev/null)
fentry_suite() { # SUITE: SUITE's fentry run, or its skip on a preempt-anywhere kernel
	case $preempt in
	full | lazy)
		printf 'TAP version 13\n1..1\nok 1 - [fentry] %s # SKIP preempt=%s: fentry programs are preemptible here, the tracer uses kprobe\n' \
			"$1" "$preempt" ;;
	*) sh "/tests/guest/$1.sh" fentry ;;
	esac
}
fentry_suite tracer_counts || status=1
sh /tests/guest/tracer_counts.sh kprobe || status=1
fentry_suite trace_filters || status=1
sh /tests/guest/trace_filters.sh kprobe || status=1
fentry_suite every_handler || status=1
sh /tests/guest/every_handler.sh kprobe || status=1
fentry_suite mixed || status=1
sh /tests/guest/mixed.sh kprobe || status=1
ioucmd run /scenarios/*.ini || status=1
ioucmd run /tests/guest/sleeping-kprobe.ini || status=1
ioucmd run --events /out/events.json -j /out/events-run.json /tests/guest/events.ini || status=1
sh /tests/guest/prom.sh || status=1
sh /tests/guest/unload.sh || status=1
# nothing above may have left a kernel splat behind
sh /tests/guest/dmesg_clean.sh "every guest suite" || status=1
exit $status
