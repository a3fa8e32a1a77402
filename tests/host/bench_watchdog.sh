#!/bin/bash
# Host test of ioucmd-bench's watchdog, on this machine's tracepoint backend: a configuration
# that stops making progress (IOUCMD_BENCH_STALL makes one stop on purpose) fails with its row
# and configuration named, the bench goes on with the next configuration, shows the failure in
# its table and bench.json and exits 1; without the stall the same run passes.
# KTAP; exit 0 pass, 1 fail, 4 skip (kselftest).
set -uo pipefail
bench=${IOUCMD_BENCH:-build/asan/ioucmd-bench}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
json() { # json FILE PYTHON-EXPRESSION-ON-d: prints its value
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null
}

echo "TAP version 13"
echo "1..8"
if [ "$(id -u)" != 0 ]; then
	echo "# SKIP the bench loads BPF programs: it needs root"
	exit 4
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=0
row="null cmd qd1 b1 t1"
args=(--quick -r 1 -n 500 --only "null cmd qd1" --configs untraced,floor,ioucmd --watchdog 2)

mkdir -p "$work/stall" "$work/plain"
start=$(date +%s)
IOUCMD_BENCH_STALL=floor timeout 120 "$bench" "${args[@]}" -o "$work/stall" \
	>"$work/stall/out" 2>"$work/stall/err"
rc=$?
took=$(( $(date +%s) - start ))
check "a stalled configuration makes the bench exit 1 (got $rc, in ${took}s)" [ $rc = 1 ]
check "stderr names the row and the configuration" \
	grep -qF "$row: floor FAILED: no progress for 2 s while stalling on purpose" "$work/stall/err"
check "the next configuration of the row ran after the failure" \
	grep -qF "$row: ioucmd, round 1/1" "$work/stall/err"
check "the table shows the failure" grep -qE "^$row +[0-9]+ +FAILED" "$work/stall/out"
check "bench.json names it: rows[0].failed.floor, failures 1" \
	[ "$(json "$work/stall/bench.json" "'no progress' in d['rows'][0]['failed']['floor'], d['failures']")" = "True 1" ]
check "bench.json keeps the configurations that ran" \
	[ "$(json "$work/stall/bench.json" "'ns_per_cmd' in d['rows'][0]['ioucmd'], 'floor' in d['rows'][0]")" = "True False" ]
timeout 120 "$bench" "${args[@]}" -o "$work/plain" >"$work/plain/out" 2>"$work/plain/err"
rc=$?
check "without the stall the same run passes (exit $rc)" [ $rc = 0 ]
check "and bench.json has no failure" \
	[ "$(json "$work/plain/bench.json" "d['failures'], d['rows'][0]['failed']")" = "0 {}" ]
[ $failed = 0 ] || sed 's/^/# /' "$work/stall/err" | tail -5
[ $failed = 0 ]
