#!/bin/bash
# faults.sh KERNEL... — every fault-injection scenario (scenarios/faults/*.ini) in its own guest
# boot, because several of them hang or crash the kernel on purpose. KTAP on stdout, exit 0 when
# every test point passed (kselftest: 0 pass, 1 fail; skips are "ok ... # SKIP why").
#
# A fault passes when the tracer names the scenario's rule (its `expect = violations.RULE >= 1`):
# in the report if the guest survives, else in the "ioucmd: violation RULE" line that the BPF
# program writes at the moment of detection and the guest's console carries out. Where ioucmd
# finished, its JSON and HTML reports are kept in build/tests/faults/KERNEL-SCENARIO/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.12 6.1)
logs=${IOUCMD_FAULT_LOGS:-$top/build/tests/faults}
mkdir -p "$logs"
scenarios=("$top"/scenarios/faults/*.ini)
echo "KTAP version 1"
echo "1..$(( ${#kernels[@]} * ${#scenarios[@]} ))"
n=0 failed=0
for k in "${kernels[@]}"; do
	for sc in "${scenarios[@]}"; do
		n=$((n + 1))
		name=$(basename "$sc" .ini)
		rule=$(sed -n 's/^expect *= *violations\.\([a-z0-9_]*\) *>= *1.*/\1/p' "$sc" | head -1)
		log=$logs/$k-$name.log
		if [ -z "$rule" ]; then
			echo "not ok $n - $k $name: the scenario names no 'expect = violations.RULE >= 1'"
			failed=1
			continue
		fi
		start=$(date +%s)
		rm -rf "${log%.log}"
		out=$("$top"/vm/run --kernel "$k" --timeout 120 --log "$log" --out "${log%.log}" -- \
			sh /tests/guest/run_fault.sh "/scenarios/faults/$name.ini" 2>&1)
		rc=$?
		secs=$(( $(date +%s) - start ))
		point=$(grep -E "^(not )?ok [0-9]+ - .*expect violations\.$rule >= 1" <<<"$out" | head -1)
		skip=$(grep -E "^ok [0-9]+ - [^ ]+\.ini # SKIP" <<<"$out" | head -1)
		if [ -n "$skip" ]; then
			echo "ok $n - $k $name: $rule # SKIP ${skip#*# SKIP }"
		elif [ -n "$point" ] && [ "${point#not }" = "$point" ]; then
			echo "ok $n - $k $name: $rule in the report (${secs}s)"
		elif grep -q "ioucmd: violation $rule " "$log"; then
			case $rc in
			124) how="hung until the ${secs}s timeout" ;;
			125) how="died" ;;
			*) how="survived, exit $rc" ;;
			esac
			echo "ok $n - $k $name: $rule on the console (guest $how)"
		else
			echo "not ok $n - $k $name: $rule not reported (vm/run exit $rc, ${secs}s, log $log)"
			sed 's/^/# /' <<<"$out" | grep -v '^# \[' | tail -25
			failed=1
		fi
		# whatever else the tracer named is worth seeing next to the verdict
		grep -o "ioucmd: violation [a-z_0-9]*" "$log" | sort | uniq -c | sed 's/^/#   console:/'
	done
done
exit $failed
