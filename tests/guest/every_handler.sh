#!/bin/sh
# Guest test: `ioucmd trace` with no handler option follows every handler that carries traffic:
# the reference driver, /dev/null, a UDP socket (6.7+), NVMe passthrough on a namespace and on
# the controller (vm/run --nvme), ublk's control device (vm/run --kmod ublk_drv), all at once
# under one trace, the reference driver's module loaded after the trace began. Per handler: the
# CQEs counted are the commands sent, each command completed exactly once (CQEs == synchronous
# returns + done() calls), nothing untracked, no violation.
# KTAP; exit 0 pass, 1 fail.
# Usage: every_handler.sh [BACKEND]
backend=${1:-fentry}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - [$backend] every handler: $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - [$backend] every handler: $*"; }
echo "TAP version 13"
# the reference driver is loaded only once the trace runs: a module's handler is followed (and
# named) whenever it comes
rmmod ioucmd_ref 2>/dev/null
out=/tmp/every_handler.$backend
ioucmd trace --backend "$backend" --cqes -j "$out.json" >"$out" 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
# HANDLER-REGEX COMMANDS, one per line
want=/tmp/every_handler.want
: >$want
ioucmd submit -f /dev/null --cmd-op 0 -n 150 -q 4 >/dev/null
echo "uring_cmd_null 150" >>$want
# the tracer has named /dev/null's handler (and read the kernel's symbols) by now
sleep 1
grep -q '^ioucmd_ref ' /proc/modules || insmod /lib/modules/ioucmd/ioucmd_ref.ko
ioucmd submit -f /dev/ioucmd-ref -c NOP --arg 1 -n 300 -q 4 >/dev/null
ioucmd submit -f /dev/ioucmd-ref -c NOP_TW --arg 1 -n 200 -q 4 >/dev/null
echo "ioucmd_ref_uring_cmd 500" >>$want
if grep -q ' io_uring_cmd_sock$' /proc/kallsyms; then
	ioucmd submit -f socket:udp --cmd-op 0 -n 100 -q 4 >/dev/null
	echo "io_uring_cmd_sock 100" >>$want
else
	echo "# $(uname -r) has no socket uring_cmd (6.7+)"
fi
if [ -e /dev/ng0n1 ] && [ -e /dev/nvme0 ]; then
	ioucmd run /tests/guest/every-nvme.ini >/dev/null 2>&1
	echo "nvme_ns_(head_)?chr_uring_cmd 40" >>$want
	echo "nvme_dev_uring_cmd 20" >>$want
else
	echo "# no NVMe controller in this guest (vm/run --nvme)"
fi
if [ -e /dev/ublk-control ]; then
	# UBLK_U_CMD_GET_FEATURES = _IOR('u', 0x13, struct ublksrv_ctrl_cmd): no buffer, so each
	# completes with an error, after the -EAGAIN the driver returns to a non-blocking issue
	ioucmd submit -f /dev/ublk-control --cmd-op UBLK_U_CMD_GET_FEATURES --sqe128 -n 30 -q 2 \
		>/dev/null
	echo "ublk_ctrl_uring_cmd 30" >>$want
else
	echo "# no ublk_drv in this guest (vm/run --kmod ublk_drv)"
fi
kill -INT $tracer
wait $tracer
num() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"; }
while read -r handler count; do
	line=$(grep -E "^$handler:" "$out" | head -1)
	name=${line%%:*}
	sync=$(num "$line" sync) done=$(num "$line" done) cqes=$(num "$line" cqes)
	untracked=$(num "$line" untracked)
	if [ -z "$line" ]; then
		not_ok "$handler: not in the trace"
	elif [ "$cqes" = "$count" ] && [ $((sync + done)) = "$count" ] && [ "$untracked" = 0 ]; then
		ok "$name: $count commands, $cqes CQEs = $sync sync + $done done(), untracked 0"
	else
		not_ok "$name: want $count CQEs = sync + done, untracked 0"
		echo "# $line"
	fi
done <$want
if grep -q '^VIOLATION' "$out" || ! tr -d ' \n' <"$out.json" | grep -q '"violations":\[\]'; then
	not_ok "violations on correct traffic"
	grep -A3 "^VIOLATION" "$out" | head -12 | sed "s/^/# /"
else
	ok "no violation, -j report written"
fi
echo "1..$n"
exit $((failed > 0))
