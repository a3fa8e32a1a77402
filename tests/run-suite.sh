#!/bin/bash
# run-suite.sh NAME COMMAND... — runs one test suite, streams its output, and appends a line
# "NAME PASSED FAILED SKIPPED SECONDS" to $IOUCMD_RESULTS. Suites speak KTAP: "ok N - x",
# "not ok N - x", "ok N - x # SKIP why". A suite that exits non-zero without a failing test
# point (crashed, guest died, timed out) counts as one failure of its own.
set -uo pipefail
name=$1
shift
results=${IOUCMD_RESULTS:?}
log=$(mktemp)
echo "# ---- suite $name: $*"
start=$(date +%s)
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -cE '^ *ok [0-9]+ ' "$log" | head -1)
skip=$(grep -cE '^ *ok [0-9]+ .*# *SKIP' "$log" | head -1)
fail=$(grep -cE '^ *not ok [0-9]+ ' "$log" | head -1)
pass=$((pass - skip))
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "not ok - suite $name exited with status $rc"
	fail=1
fi
secs=$(( $(date +%s) - start ))
echo "$name $pass $fail $skip $secs" >>"$results"
echo "# suite $name: $pass passed, $fail failed, $skip skipped (exit $rc, ${secs} s)"
rm -f "$log"
exit 0
