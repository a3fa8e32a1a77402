#!/bin/sh
# Guest test: the tracer's counts are exactly what the jobs submitted must produce. Each
# reference-driver command has a known path (driver/README.md): NOP returns its result (sync),
# NOP_TW and KWORKER return -EIOCBQUEUED and complete through done(), EAGAIN returns -EAGAIN
# and its blocking reissue is queued and done. So issued, queued, sync, eagain and done are
# derived from the job list, and BPF CQEs == CQEs reaped, with no violation. Every submit must
# reap all its CQEs with the result it asked for. KTAP.
# Usage: tracer_counts.sh [BACKEND]   (fentry by default; kprobe is the fallback)
backend=${1:-fentry}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - [$backend] $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - [$backend] $*"; }
# what one command of each kind adds to: issued queued sync eagain done
effect() {
	case $1 in
	NOP) echo "1 0 1 0 0" ;;
	NOP_TW | KWORKER) echo "1 1 0 0 1" ;;
	EAGAIN) echo "2 1 0 1 1" ;;
	*) echo "tracer_counts.sh: no known path for $1" >&2; exit 2 ;;
	esac
}
# CMD ARG COUNT QD
jobs="NOP 7 1000 1
NOP 7 1000 8
NOP_TW 9 1000 1
NOP_TW 9 1000 16
KWORKER 5 500 8
EAGAIN 3 300 4"

echo "TAP version 13"
echo "1..$((1 + $(echo "$jobs" | wc -l) + 9))"
grep -q '^ioucmd_ref ' /proc/modules || insmod /lib/modules/ioucmd/ioucmd_ref.ko
out=/tmp/tracer_counts.$backend
ioucmd trace --backend "$backend" --cqes -H ioucmd_ref_uring_cmd >"$out" 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' "$out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if grep -q "^ioucmd: backend $backend" "$out"; then ok "tracer attached"; else not_ok "tracer attached"; fi

w_issued=0 w_queued=0 w_sync=0 w_eagain=0 w_done=0 w_cqes=0
while read -r cmd arg count qd; do
	line=$(ioucmd submit -f /dev/ioucmd-ref -c "$cmd" --arg "$arg" -n "$count" -q "$qd" \
		--expect-res "$arg" 2>&1)
	rc=$?
	want="submitted $count, cqes $count, errors 0, res mismatches 0,"
	case $line in
	"$want"*) [ $rc = 0 ] && ok "$cmd x$count qd $qd: $line" ||
		not_ok "$cmd x$count qd $qd: exit $rc ($line)" ;;
	*) not_ok "$cmd x$count qd $qd: exit $rc, '$line', want '$want ...'" ;;
	esac
	set -- $(effect "$cmd")
	w_issued=$((w_issued + $1 * count)) w_queued=$((w_queued + $2 * count))
	w_sync=$((w_sync + $3 * count)) w_eagain=$((w_eagain + $4 * count))
	w_done=$((w_done + $5 * count)) w_cqes=$((w_cqes + count))
done <<JOBS
$jobs
JOBS
kill -INT $tracer
wait $tracer
line=$(grep '^ioucmd_ref_uring_cmd:' "$out")
echo "# $line"
num() { echo "$line" | sed -n "s/.* $1 \([0-9]*\).*/\1/p"; }
counter() { # NAME GOT WANT WHY
	[ "$2" = "$3" ] && ok "$1 $2, as the jobs imply ($4)" || not_ok "$1 ${2:-missing}, the jobs imply $3 ($4)"
}
counter issued "$(num issued)" $w_issued "one per command, two per EAGAIN"
counter queued "$(num queued)" $w_queued "NOP_TW, KWORKER, EAGAIN's reissue"
counter sync "$(num sync)" $w_sync "NOP"
counter eagain "$(num eagain)" $w_eagain "EAGAIN's first issue"
counter done "$(num done)" $w_done "every queued command, once"
counter cqes "$(num cqes)" $w_cqes "one per command"
counter untracked "$(num untracked)" 0 "every completion's issue was seen"
counter "lost events" "$(num 'lost events')" 0 "the ring buffer kept up"
if grep -q 'VIOLATION' "$out"; then
	not_ok "no violations"
	grep -A3 VIOLATION "$out" | head -20 | sed 's/^/# /'
else
	ok "no violations"
fi
exit $((failed > 0))
