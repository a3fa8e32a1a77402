#!/bin/sh
# Guest test: the tracer's counts agree exactly with what user space reaped. Every command
# completes once: by its handler's synchronous return or by io_uring_cmd_done(); so
# BPF (sync returns + done) == BPF CQEs == CQEs reaped, with no violation. KTAP.
# Usage: tracer_counts.sh [BACKEND]   (fentry by default; kprobe is the fallback)
backend=${1:-fentry}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - [$backend] $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - [$backend] $*"; }

echo "TAP version 13"
echo "1..6"
grep -q '^ioucmd_ref ' /proc/modules || insmod /lib/modules/ioucmd/ioucmd_ref.ko
out=/tmp/tracer_counts.$backend
ioucmd trace --backend "$backend" -H ioucmd_ref_uring_cmd >"$out" 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if grep -q "^ioucmd: backend $backend" "$out"; then ok "tracer attached"; else not_ok "tracer attached"; fi

reaped=0
for job in "NOP 7 1000 1" "NOP 7 1000 8" "NOP_TW 9 1000 1" "NOP_TW 9 1000 16"; do
	set -- $job
	line=$(ioucmd submit -f /dev/ioucmd-ref -c "$1" --arg "$2" -n "$3" -q "$4" --expect-res "$2")
	echo "# $1 qd $4: $line"
	c=$(echo "$line" | sed -n 's/.*cqes \([0-9]*\),.*/\1/p')
	reaped=$((reaped + ${c:-0}))
done
kill -INT $tracer
wait $tracer
line=$(grep '^ioucmd_ref_uring_cmd:' "$out")
echo "# $line"
num() { echo "$line" | sed -n "s/.* $1 \([0-9]*\).*/\1/p"; }
sync=$(num sync) done=$(num done) cqes=$(num cqes) queued=$(num queued)
[ "$reaped" = 4000 ] && ok "user space reaped 4000 CQEs" || not_ok "user space reaped $reaped CQEs, not 4000"
[ $((sync + done)) = "$reaped" ] && ok "BPF completions (sync $sync + done $done) == CQEs reaped" ||
	not_ok "BPF completions (sync $sync + done $done) != CQEs reaped $reaped"
[ "$cqes" = "$reaped" ] && ok "BPF CQEs $cqes == CQEs reaped" || not_ok "BPF CQEs $cqes != CQEs reaped $reaped"
[ "$queued" = "$done" ] && ok "every queued command ($queued) completed by done() ($done)" ||
	not_ok "queued $queued != done $done"
if grep -q 'VIOLATION' "$out"; then
	not_ok "no violations"
	grep -A3 VIOLATION "$out" | head -20 | sed 's/^/# /'
else
	ok "no violations"
fi
exit $((failed > 0))
