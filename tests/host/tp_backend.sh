#!/bin/bash
# Host test of the tracepoint backend on this machine's own kernel (no fentry here): the
# uring_cmd handlers of /dev/null, a UDP socket and block discard on a loop device, traced with
# exact counts. KTAP; exit 0 pass, 1 fail, 4 skip (kselftest).
set -uo pipefail
ioucmd=${IOUCMD:-build/ioucmd}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# the tracer says which backend it runs once it is attached: wait for that (60 s at most)
wait_attached() {
	for _ in $(seq 600); do
		grep -q '^ioucmd: backend' "$1" && break
		sleep 0.1
	done
}

echo "TAP version 13"
echo "1..13"
if [ "$(id -u)" != 0 ]; then
	echo "# SKIP tracing needs root (CAP_BPF, CAP_PERFMON)"
	exit 4
fi
work=$(mktemp -d)
loop=
cleanup() {
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	[ -n "${tracer:-}" ] && kill "$tracer" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
truncate -s 64M "$work/disk"
# The tracepoint backend sees the whole machine, where other ioucmd runs may submit meanwhile:
# this test submits from a copy of ioucmd with a name of its own, and traces only that name
sub=$work/ioucmd-tp$$
subcomm=$(basename "$sub" | cut -c1-15)
cp "$ioucmd" "$sub"
loop=$(losetup -f --show "$work/disk" 2>/dev/null) || loop=

handlers=(-H uring_cmd_null -H io_uring_cmd_sock)
[ -n "$loop" ] && handlers+=(-H blkdev_uring_cmd)
"$ioucmd" trace --backend tracepoint "${handlers[@]}" --comm "$subcomm" -j "$work/trace.json" \
	>"$work/trace.out" 2>&1 &
tracer=$!
# the tracer says which backend it runs once it is attached
wait_attached "$work/trace.out"
if grep -q '^ioucmd: backend tracepoint' "$work/trace.out"; then
	ok "tracepoint backend attached"
else
	not_ok "tracepoint backend attached"
	sed 's/^/# /' "$work/trace.out"
fi

"$sub" submit -f /dev/null --cmd-op 0 -n 1000 -q 4 >/dev/null
"$sub" submit -f socket:udp --cmd-op 0 -n 500 -q 4 >/dev/null
# BLOCK_URING_CMD_DISCARD = _IO(0x12, 0): start in sqe->addr, length in sqe->addr3
[ -n "$loop" ] && "$sub" submit -f "$loop" --cmd-op $((0x1200)) --sqe-addr 0 \
	--sqe-addr3 4096 -n 300 -q 8 >/dev/null
sleep 0.5
kill -INT "$tracer"
wait "$tracer"
tracer=

expect_line() { # HANDLER COUNT
	if grep -qE "^$1: issued $2, .* cqes $2, untracked 0" "$work/trace.out"; then
		ok "$1: $2 submissions, $2 CQEs"
	else
		not_ok "$1: expected $2 submissions and CQEs"
		grep -E "^$1:" "$work/trace.out" | sed 's/^/# got: /'
	fi
}
expect_line uring_cmd_null 1000
expect_line io_uring_cmd_sock 500
if [ -n "$loop" ]; then
	expect_line blkdev_uring_cmd 300
else
	n=$((n + 1)); echo "ok $n - blkdev_uring_cmd # SKIP no loop device on this machine"
fi
if grep -q '"violations":0' <(tr -d ' \n' <"$work/trace.json"); then
	ok "no violations, JSON report written"
else
	not_ok "no violations, JSON report written"
fi

# the filters on this backend: judged at submission, from the submitting task
filtered() { # NAME WANT ARGS...: /dev/null traced with ARGS while 200 commands run
	local name=$1 want=$2
	shift 2
	"$ioucmd" trace --backend tracepoint -H uring_cmd_null "$@" >"$work/f.out" 2>&1 &
	tracer=$!
	wait_attached "$work/f.out"
	"$sub" submit -f /dev/null --cmd-op 0 -n 200 -q 4 >/dev/null
	sleep 0.3
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
	if grep -qE "^uring_cmd_null: issued $want, .* cqes $want," "$work/f.out"; then
		ok "filter $name: $want of 200 commands traced"
	else
		not_ok "filter $name: expected $want of 200 commands traced"
		grep -E "^uring_cmd_null:" "$work/f.out" | sed 's/^/# got: /'
	fi
}
filtered "--comm $subcomm" 200 --comm "$subcomm"
filtered "--comm not-ioucmd" 0 --comm not-ioucmd
filtered "-c 0" 200 -c 0 --comm "$subcomm"
filtered "-c 1" 0 -c 1 --comm "$subcomm"
# Mixed traffic on one block device: fio's io_uring reads and our discards. Only uring_cmds are
# counted: every CQE of the device's other requests goes through the same tracepoints.
if [ -n "$loop" ] && command -v fio >/dev/null; then
	"$ioucmd" trace --backend tracepoint -H blkdev_uring_cmd --comm "$subcomm" >"$work/m.out" 2>&1 &
	tracer=$!
	wait_attached "$work/m.out"
	# fio under the same name as our submitter, so that the filter keeps its reads too: only
	# the opcode can tell them apart
	mkdir -p "$work/fio" && cp "$(command -v fio)" "$work/fio/$(basename "$sub")"
	"$work/fio/$(basename "$sub")" --name=reads --filename="$loop" --ioengine=io_uring --rw=randread --bs=4k --size=32M \
		--number_ios=2000 --iodepth=8 --direct=1 --output=/dev/null &
	fio=$!
	"$sub" submit -f "$loop" --cmd-op $((0x1200)) --sqe-addr 0 --sqe-addr3 4096 -n 300 -q 8 \
		>/dev/null
	wait $fio
	sleep 0.5
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
	if grep -qE "^blkdev_uring_cmd: issued 300, .* cqes 300, untracked 0" "$work/m.out" &&
		! grep -q '^VIOLATION' "$work/m.out"; then
		ok "mixed traffic: 300 discards counted beside 2000 fio reads on the same device, no violation"
	else
		not_ok "mixed traffic: expected exactly the 300 discards"
		grep -E "^(blkdev_uring_cmd:|VIOLATION)" "$work/m.out" | head -5 | sed 's/^/# got: /'
	fi
else
	n=$((n + 1)); echo "ok $n - mixed traffic # SKIP no loop device or no fio on this machine"
fi

# -i: each interval's own counts; --cumulative: running totals. Two bursts (300, then 200) a few
# intervals apart, from a copy of ioucmd under its own name so that --comm keeps out whatever
# else this machine submits meanwhile.
cp "$ioucmd" "$work/ioucmd-ivl"
intervals() { # OUT ARGS...: the "issued" of every print of uring_cmd_null, in order
	local out=$1
	shift
	"$ioucmd" trace --backend tracepoint -H uring_cmd_null --comm ioucmd-ivl -i 1 "$@" \
		>"$out" 2>&1 &
	tracer=$!
	wait_attached "$out"
	"$work/ioucmd-ivl" submit -f /dev/null --cmd-op 0 -n 300 -q 4 >/dev/null
	sleep 2.5
	"$work/ioucmd-ivl" submit -f /dev/null --cmd-op 0 -n 200 -q 4 >/dev/null
	sleep 2.5
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
	sed -n 's/^uring_cmd_null: issued \([0-9]*\),.*/\1/p' "$out" | tr '\n' ' '
}
got=$(intervals "$work/i.out" -T)
# every print but the last (the whole trace) is one interval: they add up to the whole
sum=0 last=0 busy=0
for v in $got; do sum=$((sum + v)); last=$v; [ "$v" -gt 0 ] && busy=$((busy + 1)); done
if [ "$last" = 500 ] && [ $((sum - last)) = 500 ] && [ "$busy" -ge 3 ]; then
	ok "-i: each interval counts its own commands, the end the whole trace ($got)"
else
	not_ok "-i: intervals must add up to 500 and the end say 500, got: $got"
fi
if grep -qE '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$' "$work/i.out"; then
	ok "-T: each interval starts with a time stamp"
else
	not_ok "-T: no HH:MM:SS line"
	sed 's/^/# /' "$work/i.out" | head -20
fi
got=$(intervals "$work/c.out" --cumulative)
prev=0 mono=1
for v in $got; do [ "$v" -ge "$prev" ] || mono=0; prev=$v; done
if [ "$mono" = 1 ] && [ "$prev" = 500 ] && [[ " $got" == *" 300 "* ]]; then
	ok "--cumulative: running totals (300 after the first burst, 500 at the end: $got)"
else
	not_ok "--cumulative: running totals expected, got: $got"
fi
exit $((failed > 0))
