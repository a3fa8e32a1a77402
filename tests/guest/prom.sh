#!/bin/sh
# Guest test: `ioucmd trace --prom` under load on the reference driver, its textfile rewritten
# every 100 ms and copied into /out/prom/snaps as fast as the shell can meanwhile; the host
# checks every copy is whole and no counter goes down (tests/host/guest_reports.sh), and that
# the last rewrite says what the -j report says. KTAP; exit 0 pass, 1 fail.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - trace --prom: $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - trace --prom: $*"; }
echo "TAP version 13"
grep -q '^ioucmd_ref ' /proc/modules || insmod /lib/modules/ioucmd/ioucmd_ref.ko
dir=/out/prom
rm -rf $dir; mkdir -p $dir/snaps
ioucmd trace -H ioucmd_ref_uring_cmd --prom $dir/live.prom --prom-interval 100ms \
	-j $dir/trace.json >$dir/trace.out 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' $dir/trace.out && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ioucmd submit -f /dev/ioucmd-ref -c NOP_TW --arg 1 -n 40000 -q 8 >/dev/null &
load1=$!
ioucmd submit -f /dev/ioucmd-ref -c DELAY --arg 5000000 -n 1000 -q 4 >/dev/null &
load2=$!
i=0
while { kill -0 $load1 || kill -0 $load2; } 2>/dev/null && [ $i -lt 300 ]; do
	cp $dir/live.prom $dir/snaps/$(printf %04d $i).prom
	i=$((i + 1))
	sleep 0.05
done
wait $load1; s1=$?
wait $load2; s2=$?
kill -INT $tracer
wait $tracer
st=$?
if [ $s1 = 0 ] && [ $s2 = 0 ] && [ $st = 0 ] && [ $i -ge 10 ]; then
	ok "traced 40000 NOP_TW and 1000 DELAY (5 ms) commands, $i copies of the textfile taken"
else
	not_ok "load exit $s1 $s2, tracer exit $st, $i copies"
	sed 's/^/# /' $dir/trace.out | tail -5
fi
echo "1..$n"
exit $((failed > 0))
