#!/bin/sh
# Guest test: exact counts on mixed traffic. fio, a real io_uring client, writes to /dev/null
# through io_uring while ioucmd submits uring_cmds to the same file; on NVMe (vm/run --nvme),
# fio reads the block device while discards go to it as uring_cmds (6.12+: blkdev_uring_cmd).
# The trace follows every handler (no -H): it must count exactly the uring_cmds, never a CQE of
# fio's reads or writes, which pass the same completion path. KTAP; exit 0 pass, 1 fail.
# Usage: mixed.sh [BACKEND]
backend=${1:-fentry}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - [$backend] mixed traffic: $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - [$backend] mixed traffic: $*"; }
echo "TAP version 13"
if ! command -v fio >/dev/null; then
	# vm/run --add /usr/bin/fio (the Makefile's test-guest does): a missing client is a failure
	echo "1..1"
	echo "not ok 1 - [$backend] mixed traffic: fio is not in the guest (vm/run --add \$(command -v fio))"
	exit 1
fi
out=/tmp/mixed.$backend

# mix HANDLER LABEL FIO-ARGS -- SUBMIT-ARGS: fio and ioucmd submit at once under one trace
mix() {
	handler=$1 label=$2; shift 2
	fio_args=
	while [ "$1" != -- ]; do fio_args="$fio_args $1"; shift; done
	shift
	ioucmd trace --backend "$backend" --cqes >"$out" 2>&1 &
	tracer=$!
	i=0
	while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	# fio runs 2 s, around the whole submission
	# shellcheck disable=SC2086
	fio --name=mixed --time_based --runtime=2 --eta=never --ioengine=io_uring --output=/tmp/fio.out $fio_args &
	fio=$!
	ioucmd submit "$@" >/tmp/submit.out 2>&1
	sub=$?
	wait $fio
	fst=$?
	kill -INT $tracer
	wait $tracer
	line=$(grep "^$handler:" "$out")
	# "issued rwts: total=READS,WRITES,..."
	ios=$(sed -n 's/.*issued rwts: total=\([0-9]*\),\([0-9]*\),.*/\1 \2/p' /tmp/fio.out | head -1)
	if [ -n "$ios" ]; then ios=$(( ${ios% *} + ${ios#* } )); else ios=0; fi
	# an -EAGAIN (a discard the block layer could not start without blocking) is issued again
	eagain=$(echo "$line" | sed -n 's/.* eagain \([0-9]*\),.*/\1/p')
	if [ $sub = 0 ] && [ $fst = 0 ] && [ -n "$eagain" ] &&
		echo "$line" | grep -qE ": issued $((want + eagain)), .* cqes $want, untracked 0" &&
		! grep -q '^VIOLATION' "$out" && [ "$ios" -gt 0 ]; then
		ok "$label: $want uring_cmds ($eagain reissued) counted exactly beside fio's $ios I/Os on the same file, no violation"
	else
		not_ok "$label: want issued $want (+ each -EAGAIN) and cqes $want beside fio's I/Os (fio exit $fst, $ios I/Os; submit exit $sub)"
		echo "# $line"
		grep -E '^VIOLATION|^ioucmd:' "$out" | head -5 | sed 's/^/# /'
	fi
}

want=2000
mix uring_cmd_null "/dev/null" --filename=/dev/null --rw=write --bs=4k --size=64M --iodepth=8 \
	-- -f /dev/null --cmd-op 0 -n $want -q 8
if grep -q ' blkdev_uring_cmd$' /proc/kallsyms && [ -b /dev/nvme0n1 ]; then
	want=300
	mix blkdev_uring_cmd "NVMe block device, reads and discards" --filename=/dev/nvme0n1 \
		--rw=randread --bs=4k --size=32M --iodepth=8 --direct=1 \
		-- -f /dev/nvme0n1 --cmd-op $((0x1200)) --sqe-addr 0 --sqe-addr3 4096 -n $want -q 8
else
	n=$((n + 1))
	echo "ok $n - [$backend] mixed traffic: NVMe block device # SKIP $(uname -r) has no block-device uring_cmd (6.12+) or no /dev/nvme0n1"
fi
echo "1..$n"
exit $((failed > 0))
