#!/bin/bash
# faults.sh KERNEL... — every fault-injection scenario (scenarios/faults/*.ini, or those named in
# $IOUCMD_FAULTS) in its own guest boot, because several of them hang or crash the kernel on
# purpose. KTAP on stdout, one point per kernel and scenario; exit 0 when every point passed
# (kselftest: 0 pass, 1 fail; skips are "ok ... # SKIP why" and never count as a catch).
#
# The convention a fault scenario follows (a new file in scenarios/faults/ needs nothing else):
#   - `backend = fentry` (or kprobe, or tracepoint where that backend can see the rule): pinned,
#     so that a fallback to a backend that cannot judge the rule is a failure, not a pass;
#   - its first `expect = violations.RULE >= 1` names the rule the fault breaks;
#     a fault that breaks no rule of the completion contract (its results come from bytes the
#     application reused) says `expect = res_mismatches >= 1` instead, and is caught by its results;
#   - every other rule the fault legitimately breaks too is named by an expectation of its own
#     (`expect = violations.OTHER >= 1`, or `<= N` where it depends on timing), with a comment
#     saying why. Any rule the tracer reports that no expectation names fails the point.
#
# The verdict, in this order:
#   - the whole scenario skipped (min_kernel), or its rule's expectation skipped (the rule is not
#     checkable on this kernel): SKIP with ioucmd's reason;
#   - the rule's expectation came back: it decides; `not ok` is a failure whatever the console
#     says. Every other point of the run must pass too, and the run must name the pinned backend;
#   - no result came back (the guest hung or died first): the rule must be on the console, in
#     the "ioucmd: violation RULE" line the BPF program prints at the moment of detection;
#   - the tally: each rule reported (in the report's totals, in ioucmd's VIOLATION lines, on the
#     console) must be named by one of the scenario's expectations.
# Where ioucmd finished, its JSON and HTML reports are kept in build/tests/faults/KERNEL-SCENARIO/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.12 6.1)
logs=${IOUCMD_FAULT_LOGS:-$top/build/tests/faults}
mkdir -p "$logs"
scenarios=("$top"/scenarios/faults/*.ini)
# IOUCMD_FAULTS="never-done timer-done": only these (while writing a new one)
if [ -n "${IOUCMD_FAULTS:-}" ]; then
	scenarios=()
	for f in $IOUCMD_FAULTS; do scenarios+=("$top/scenarios/faults/$f.ini"); done
fi
echo "KTAP version 1"
echo "1..$(( ${#kernels[@]} * ${#scenarios[@]} ))"
n=0 failed=0

# rules NAME COUNT, one a line, from a run's JSON report (its totals)
report_tally() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
for s in r.get("scenarios", []):
    for k, v in (s.get("totals") or {}).items():
        if k.startswith("violations.") and v:
            print(k[len("violations."):], int(v))
EOF
}

for k in "${kernels[@]}"; do
	for sc in "${scenarios[@]}"; do
		n=$((n + 1))
		name=$(basename "$sc" .ini)
		log=$logs/$k-$name.log
		dir=${log%.log}
		rule=$(sed -n 's/^expect *= *violations\.\([a-z0-9_]*\) *>= *1 *$/\1/p' "$sc" | head -1)
		named=$(sed -n 's/^expect *= *violations\.\([a-z0-9_]*\) *[<>=!].*/\1/p' "$sc" | sort -u)
		backend=$(sed -n 's/^backend *= *\([a-z]*\) *$/\1/p' "$sc" | head -1)
		catch=violations.$rule
		# a fault that breaks no rule of the completion contract is caught by its results
		if [ -z "$rule" ] && grep -qE '^expect *= *res_mismatches *>= *1 *$' "$sc"; then
			rule=res_mismatches catch=res_mismatches
		fi
		if [ -z "$rule" ]; then
			echo "not ok $n - $k $name: the scenario names no 'expect = violations.RULE >= 1'" \
				"(nor 'expect = res_mismatches >= 1')"
			failed=1
			continue
		fi
		if [ -z "$backend" ] || [ "$backend" = auto ]; then
			echo "not ok $n - $k $name: the scenario pins no backend ('backend = fentry')"
			failed=1
			continue
		fi
		start=$(date +%s)
		rm -rf "$dir"
		out=$("$top"/vm/run --kernel "$k" --timeout 120 --log "$log" --out "$dir" -- \
			sh /tests/guest/run_fault.sh "/scenarios/faults/$name.ini" 2>&1)
		rc=$?
		secs=$(( $(date +%s) - start ))
		case $rc in
		124) how="guest hung until the ${secs}s timeout" ;;
		125) how="guest died" ;;
		*) how="guest survived, exit $rc, ${secs}s" ;;
		esac
		point=$(grep -E "^(not )?ok [0-9]+ - .*: expect ${catch//./\\.} >= 1( |$)" <<<"$out" | head -1)
		skip=$(grep -E "^ok [0-9]+ - [^ ]+\.ini # SKIP" <<<"$out" | head -1)
		ran_backend=$(sed -n 's/^# backend: \([a-z]*\).*/\1/p' <<<"$out" | head -1)
		# what each source says was broken: the report (if it came back), ioucmd's own
		# VIOLATION lines (the stall rules are judged in user space), the BPF program's line
		tally=$( { report_tally "$dir/report.json" | sed 's/^/report /'
			grep -oE "^VIOLATION [a-z_0-9]+:" "$log" | tr -d : | awk '{ print "ioucmd", $2, 1 }'
			grep -o "ioucmd: violation [a-z_0-9]*" "$log" | awk '{ print "console", $3, 1 }'; } |
			awk '{ k = $2 " " $1; c[k] += $3 } END { for (x in c) print x, c[x] }' |
			awk '{ t[$1] = t[$1] " " $2 "=" $3 } END { for (r in t) print r t[r] }' | sort)
		extra=
		while read -r r _; do
			[ -n "$r" ] && ! grep -qx "$r" <<<"$named" && extra+=" $r"
		done <<<"$tally"
		why= where=
		if [ -n "$skip" ]; then
			echo "ok $n - $k $name: $rule # SKIP ${skip#*# SKIP }"
			continue
		elif [[ $point == *"# SKIP "* ]]; then
			# a rule this kernel cannot check is no catch
			echo "ok $n - $k $name: $rule # SKIP ${point#*# SKIP }"
			continue
		fi
		failing=$(grep -E '^not ok [0-9]+ ' <<<"$out" | sed 's/^not ok [0-9]* - //' | paste -sd ';')
		if [ -n "$point" ] && [ "${point#not }" != "$point" ]; then
			why="the report says $rule was not caught"
		elif [ -n "$failing" ]; then
			why="points of the run failed: $failing"
		elif [ -n "$ran_backend" ] && [ "$ran_backend" != "$backend" ]; then
			why="ran on backend '$ran_backend', the scenario pins '$backend'"
		elif [ -n "$point" ]; then
			where="in the report ($how)"
		elif grep -q "ioucmd: violation $rule " "$log"; then
			where="on the console ($how, no result came back)"
		else
			why="$rule not reported (vm/run exit $rc, ${secs}s, log $log)"
		fi
		[ -z "$why" ] && [ -n "$extra" ] &&
			why="$rule $where, but also$extra, which the scenario does not name"
		if [ -z "$why" ]; then
			echo "ok $n - $k $name: $rule $where"
		else
			echo "not ok $n - $k $name: $why"
			sed 's/^/# /' <<<"$out" | grep -v '^# \[' | tail -25
			failed=1
		fi
		sed 's/^/#   tally: /' <<<"${tally:-none}"
	done
done
exit $failed
