#!/bin/sh
# run_fault.sh SCENARIO — in the guest: `ioucmd run SCENARIO`. A cancel call that is ignored
# leaves io_uring's exit work spinning, so the tracer's detach (an RCU-tasks grace period) never
# completes: that is the rule being broken, and ioucmd must still print its verdict, write its
# reports and exit with its status within a bounded time (it gives the detach 10 s). An ioucmd
# that does not come back is a failure of ioucmd.
out=/tmp/fault.out
# the JSON and HTML reports come back to the host (vm/run --out) when ioucmd finishes
( ioucmd run -j /out/report.json --html /out/report.html "$1" >"$out" 2>&1
  echo "$?" >/tmp/fault.rc ) &
i=0
while [ ! -f /tmp/fault.rc ] && [ $i -lt 600 ]; do
	grep -qE '^(not )?ok [0-9]+ - .*: expect violations\.' "$out" 2>/dev/null && break
	sleep 0.1
	i=$((i + 1))
done
# the verdict is out: ioucmd gives the detach 10 s, then writes its reports and exits
i=0
while [ ! -f /tmp/fault.rc ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
cat "$out"
if [ -f /tmp/fault.rc ]; then
	exit "$(cat /tmp/fault.rc)"
fi
echo "not ok - ioucmd gave its verdict but did not exit within 30 s (its detach must be bounded)"
exit 1
