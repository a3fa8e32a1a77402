#!/bin/sh
# Guest test: `ioucmd trace` keeps only the commands asked for with -c CMD_OP, --comm and -p,
# judged from each request (its cmd_op, its submitter), so that completions from task work are
# filtered like their issue. NOP (sync) and NOP_TW (task work) are submitted side by side;
# counts are exact. KTAP; exit 0 pass, 1 fail.
# Without the reference driver (sid: it needs a newer gcc) /dev/null's handler is traced
# instead: sync commands only, which still proves that the submitter is found (6.14+ keeps it
# in req->tctx, earlier kernels in req->task).
# Usage: trace_filters.sh [BACKEND]
backend=${1:-fentry}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - [$backend] filters: $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - [$backend] filters: $*"; }
echo "TAP version 13"
if [ -f /lib/modules/ioucmd/ioucmd_ref.ko ]; then
	grep -q '^ioucmd_ref ' /proc/modules || insmod /lib/modules/ioucmd/ioucmd_ref.ko
	handler=ioucmd_ref_uring_cmd
else
	handler=uring_cmd_null
fi

# trace_with NAME ARGS...: starts the tracer, submits 300 NOP + 200 NOP_TW, prints its line
trace_with() {
	out=/tmp/trace_filters.$1; shift
	ioucmd trace --backend "$backend" -H $handler "$@" >"$out" 2>&1 &
	tracer=$!
	i=0
	while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	if [ $handler = uring_cmd_null ]; then
		ioucmd submit -f /dev/null --cmd-op 0 -n 300 -q 4 >/dev/null
	else
		ioucmd submit -f /dev/ioucmd-ref -c NOP --arg 1 -n 300 -q 4 >/dev/null
		ioucmd submit -f /dev/ioucmd-ref -c NOP_TW --arg 1 -n 200 -q 4 >/dev/null
	fi
	kill -INT $tracer
	wait $tracer
	grep "^$handler:" "$out"
}
num() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"; }
expect() { # NAME LINE issued done cqes
	got="issued $(num "$2" issued) done $(num "$2" done) cqes $(num "$2" cqes)"
	want="issued $3 done $4 cqes $5"
	if [ "$got" = "$want" ]; then ok "$1: $got"; else not_ok "$1: $got, want $want"; echo "# $2"; fi
}

if [ $handler = uring_cmd_null ]; then
	line=$(trace_with comm --comm ioucmd)
	expect "/dev/null --comm ioucmd" "$line" 300 0 300
	line=$(trace_with nocomm --comm not-ioucmd)
	expect "/dev/null --comm not-ioucmd" "$line" 0 0 0
	line=$(trace_with pid -p 1)
	expect "/dev/null -p 1" "$line" 0 0 0
	echo "1..$n"
	exit $((failed > 0))
fi
line=$(trace_with cmd -c NOP_TW)
expect "-c NOP_TW" "$line" 200 200 200
line=$(trace_with comm --comm ioucmd)
expect "--comm ioucmd" "$line" 500 200 500
line=$(trace_with nocomm --comm not-ioucmd)
expect "--comm not-ioucmd" "$line" 0 0 0
line=$(trace_with pid -p 1)
expect "-p 1" "$line" 0 0 0
line=$(trace_with both -c NOP --comm ioucmd)
expect "-c NOP --comm ioucmd" "$line" 300 0 300
echo "1..$n"
exit $((failed > 0))
