#!/bin/bash
# Host test of the tracepoint backend on this machine's own kernel (no fentry here): the
# uring_cmd handlers of /dev/null, a UDP socket and block discard on a loop device, traced with
# exact counts. KTAP; exit 0 pass, 1 fail, 4 skip (kselftest).
set -uo pipefail
ioucmd=${IOUCMD:-build/ioucmd}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

echo "TAP version 13"
echo "1..9"
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
loop=$(losetup -f --show "$work/disk" 2>/dev/null) || loop=

handlers=(-H uring_cmd_null -H io_uring_cmd_sock)
[ -n "$loop" ] && handlers+=(-H blkdev_uring_cmd)
"$ioucmd" trace --backend tracepoint "${handlers[@]}" -j "$work/trace.json" \
	>"$work/trace.out" 2>&1 &
tracer=$!
# the tracer says which backend it runs once it is attached
for _ in $(seq 100); do
	grep -q '^ioucmd: backend' "$work/trace.out" && break
	sleep 0.1
done
if grep -q '^ioucmd: backend tracepoint' "$work/trace.out"; then
	ok "tracepoint backend attached"
else
	not_ok "tracepoint backend attached"
	sed 's/^/# /' "$work/trace.out"
fi

"$ioucmd" submit -f /dev/null --cmd-op 0 -n 1000 -q 4 >/dev/null
"$ioucmd" submit -f socket:udp --cmd-op 0 -n 500 -q 4 >/dev/null
# BLOCK_URING_CMD_DISCARD = _IO(0x12, 0): start in sqe->addr, length in sqe->addr3
[ -n "$loop" ] && "$ioucmd" submit -f "$loop" --cmd-op $((0x1200)) --sqe-addr 0 \
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
	for _ in $(seq 100); do
		grep -q '^ioucmd: backend' "$work/f.out" && break
		sleep 0.1
	done
	"$ioucmd" submit -f /dev/null --cmd-op 0 -n 200 -q 4 >/dev/null
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
filtered "--comm ioucmd" 200 --comm ioucmd
filtered "--comm not-ioucmd" 0 --comm not-ioucmd
filtered "-c 0" 200 -c 0
filtered "-c 1" 0 -c 1
exit $((failed > 0))
