#!/bin/bash
# run-suite.sh NAME COMMAND... — runs one test suite, streams its output, and appends a line
# "NAME PASSED FAILED SKIPPED SECONDS" to $IOUCMD_RESULTS. Suites speak KTAP: "ok N - x",
# "not ok N - x", "ok N - x # SKIP why". A suite that exits non-zero without a failing test
# point (crashed, guest died, timed out) counts as one failure of its own, and so does one whose
# points do not match its KTAP plans.
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
# Each KTAP stream (from a "TAP version" or "KTAP version" line to the next) must run exactly
# the points its "1..N" plan announced: a suite that stops early, or skips a point without
# saying so, fails here even if every point it printed passed. Indented lines are subtests.
plan_errors=$(awk '
	function done_stream() {
		if (!started) return
		if (plans != 1) printf "stream at line %d has %d plans (1..N lines)\n", first, plans
		else if (plan != points) printf "stream at line %d planned %d points and ran %d\n", first, plan, points
	}
	/^K?TAP version [0-9]+/ { done_stream(); started = 1; first = NR; points = 0; plans = 0; next }
	/^(not )?ok [0-9]+/ {
		if (!started) { printf "line %d: a test point before any \"TAP version\" line\n", NR; next }
		points++
	}
	/^1\.\.[0-9]+/ { if (started) { plans++; plan = substr($1, 4) + 0 } }
	END { done_stream() }' "$log")
if [ -n "$plan_errors" ]; then
	# a suite's name has slashes (host/x): no sed s/// with it inside
	while IFS= read -r line; do echo "not ok - suite $name: $line"; done <<<"$plan_errors"
	fail=$((fail + 1))
fi
secs=$(( $(date +%s) - start ))
echo "$name $pass $fail $skip $secs" >>"$results"
echo "# suite $name: $pass passed, $fail failed, $skip skipped (exit $rc, ${secs} s)"
rm -f "$log"
exit 0
