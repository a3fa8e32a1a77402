#!/bin/bash
# The report fields a real run fills in, against the expectation language's table: a run on
# /dev/null (tests/host/fields.ini) has every field (test_report_fields) but driver.* and
# res_checked/res_mismatches (only the reference driver's commands have results the runner
# knows), and an expectation on a field the run did not measure fails (tests/host/missing-field.ini).
# KTAP; exit 0 pass, 1 fail, 4 skip (kselftest).
set -uo pipefail
ioucmd=${IOUCMD:-build/ioucmd}
fields_test=${IOUCMD_FIELDS_TEST:-build/tests/host/test_report_fields}
echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP tracing needs root (CAP_BPF, CAP_PERFMON)"
	exit 4
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 n=0
# test_report_fields' points, one per object (totals, each job), renumbered into this stream
"$ioucmd" run -j "$work/fields.json" tests/host/fields.ini >"$work/fields.out" 2>&1
rc=$?
n=$((n + 1))
if [ $rc = 0 ]; then
	echo "ok $n - fields.ini ran and passed on /dev/null"
else
	echo "not ok $n - fields.ini ran and passed on /dev/null (ioucmd run exit $rc)"
	sed 's/^/# /' "$work/fields.out" | tail -20
	failed=1
fi
"$fields_test" "$work/fields.json" --absent driver. --absent res_ >"$work/fields.ktap"
[ $? = 0 ] || failed=1
while read -r line; do
	case $line in
	"ok "* | "not ok "*)
		n=$((n + 1))
		echo "$line" | sed -E "s/^(not )?ok [0-9]+/\1ok $n/" ;;
	"# "[0-9]*" passed"*) ;;
	"#"*) echo "$line" ;;
	esac
done <"$work/fields.ktap"
n=$((n + 1))
"$ioucmd" run tests/host/missing-field.ini >"$work/missing.out" 2>&1
rc=$?
point=$(grep -E '^(not )?ok [0-9]+ - .*expect driver\.issued == 10' "$work/missing.out")
if [ $rc = 1 ] && [[ $point == "not ok "* ]] && [[ $point != *"# SKIP"* ]] &&
	grep -q '^# driver.issued was not measured: ' "$work/missing.out"; then
	echo "ok $n - an expectation on a field the run did not measure fails, and says why"
else
	echo "not ok $n - an expectation on an unmeasured field: '$point' (exit $rc)"
	sed 's/^/# /' "$work/missing.out" | tail -20
	failed=1
fi
echo "1..$n"
exit $failed
