#!/bin/sh
# Guest test: `ioucmd trace` keeps only the commands asked for with -c CMD_OP, --comm and -p
# (exactly those: a filter that drops everything fails the positive cases),
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
	ioucmd trace --backend "$backend" --cqes -H $handler "$@" >"$out" 2>&1 &
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

check() { # NAME ISSUED DONE CQES TRACE-ARGS...
	name=$1 issued=$2 done=$3 cqes=$4
	shift 4
	expect "$name" "$(trace_with run "$@")" "$issued" "$done" "$cqes"
}
# /dev/null: 300 sync commands; the driver: 300 NOP (sync) and 200 NOP_TW (task work)
all=500 tw=200
[ $handler = uring_cmd_null ] && all=300 tw=0
check "--comm ioucmd" $all $tw $all --comm ioucmd
check "--comm not-ioucmd" 0 0 0 --comm not-ioucmd
check "-p 1" 0 0 0 -p 1

# -p PID: the traced submitter is started first and waits (on a fifo) for the tracer to attach;
# another submitter runs at the same time. Only the first one's commands may be counted, all
# of them, task-work completions included.
fifo=/tmp/trace_filters.go
rm -f $fifo && mkfifo $fifo
if [ $handler = uring_cmd_null ]; then
	mine="-f /dev/null --cmd-op 0 -n 300 -q 4" others="-f /dev/null --cmd-op 0 -n 200 -q 4"
	want="300 0 300"
else
	mine="-f /dev/ioucmd-ref -c NOP_TW --arg 1 -n 200 -q 4"
	others="-f /dev/ioucmd-ref -c NOP --arg 1 -n 300 -q 4"
	want="200 200 200"
fi
( read -r _ <$fifo; exec ioucmd submit $mine ) >/dev/null &
pid=$!
out=/tmp/trace_filters.pid
ioucmd trace --backend "$backend" --cqes -H $handler -p $pid >"$out" 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ioucmd submit $others >/dev/null &
other=$!
echo go >$fifo
wait $pid
wait $other
kill -INT $tracer
wait $tracer
# shellcheck disable=SC2086
expect "-p SUBMITTER (another process submitting alongside)" "$(grep "^$handler:" "$out")" $want
if [ $handler != uring_cmd_null ]; then
	check "-c NOP_TW" 200 200 200 -c NOP_TW
	check "-c NOP --comm ioucmd" 300 0 300 -c NOP --comm ioucmd
fi
# No -H: every handler of the system is traced, each on its own line, counts exact
out=/tmp/trace_filters.all
ioucmd trace --backend "$backend" --cqes >"$out" 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ioucmd submit -f /dev/null --cmd-op 0 -n 120 -q 4 >/dev/null
[ $handler = uring_cmd_null ] || ioucmd submit -f /dev/ioucmd-ref -c NOP_TW --arg 1 -n 80 -q 4 >/dev/null
kill -INT $tracer
wait $tracer
expect "no -H: /dev/null's handler" "$(grep "^uring_cmd_null:" "$out")" 120 0 120
if [ $handler != uring_cmd_null ]; then
	expect "no -H: the driver's handler" "$(grep "^$handler:" "$out")" 80 80 80
fi
echo "1..$n"
exit $((failed > 0))
