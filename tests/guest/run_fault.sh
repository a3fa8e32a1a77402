#!/bin/sh
# run_fault.sh SCENARIO — in the guest: `ioucmd run SCENARIO`, but returns once its verdict is
# out even when ioucmd cannot finish: a cancel call that is ignored leaves io_uring's exit work
# spinning, so the tracer's detach (an RCU-tasks grace period) never completes. That is the
# rule being broken, not a test failure; ioucmd prints its verdict before it detaches.
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
# the verdict is out: give ioucmd 10 s to detach and write its reports
i=0
while [ ! -f /tmp/fault.rc ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
cat "$out"
if [ -f /tmp/fault.rc ]; then
	exit "$(cat /tmp/fault.rc)"
fi
echo "# ioucmd gave its verdict but cannot finish: the bug holds off the tracer's detach"
exit 0
