#!/bin/bash
# guest_reports.sh DIR... — what tests/guest/all.sh left in each guest's --out directory,
# checked on the host (the guest has no python): the --events Chrome trace of
# tests/guest/events.ini is valid JSON with every command's steps in order and one life per
# command counted in the report; that report matches reports/SCHEMA.md; and it has every
# expectation field, driver.* included (the reference driver answered STATS); and the copies of
# trace --prom's textfile taken under load are each whole, never go down, and end as the JSON.
# KTAP; exit 0 pass, 1 fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
# Prometheus' own checker for report_check.py prom (found, or unpacked once into .cache/)
IOUCMD_PROMTOOL=$("$(cd "$(dirname "$0")/../.." && pwd)/scripts/promtool.sh") || IOUCMD_PROMTOOL=
export IOUCMD_PROMTOOL
[ -x $py ] || py=python3
fields_test=${IOUCMD_FIELDS_TEST:-$top/build/tests/host/test_report_fields}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
relay() { # PREFIX: KTAP-ish lines on stdin renumbered into this stream
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "* | "ok "[0-9]*" - "*) ok "$1${line#ok*- }" ;;
		"not ok - "* | "not ok "[0-9]*" - "*) not_ok "$1${line#not ok*- }" ;;
		"# "[0-9]*" passed"* | "TAP version"* | 1..*) ;;
		*) echo "$line" ;;
		esac
	done
}
echo "TAP version 13"
[ $# -gt 0 ] || { echo "usage: guest_reports.sh DIR..." >&2; exit 2; }
for dir in "$@"; do
	name=$(basename "$dir")
	if [ ! -s "$dir/events.json" ] || [ ! -s "$dir/events-run.json" ]; then
		not_ok "$name: the guest left events.json and events-run.json in $dir"
		continue
	fi
	relay "$name: " < <($py "$here/report_check.py" events "$dir/events.json" "$dir/events-run.json")
	relay "$name: " < <($py "$here/report_check.py" schema "$top/reports/SCHEMA.md" "$dir/events-run.json")
	relay "$name: " < <("$fields_test" "$dir/events-run.json")
	if [ ! -s "$dir/prom/live.prom" ] || [ ! -s "$dir/prom/trace.json" ]; then
		not_ok "$name: the guest left trace --prom's prom/live.prom and prom/trace.json in $dir"
		continue
	fi
	relay "$name: trace --prom: " < <($py "$here/report_check.py" prom-series "$dir/prom/snaps")
	relay "$name: trace --prom: " < <($py "$here/report_check.py" prom "$dir/prom/trace.json" "$dir/prom/live.prom")
done
echo "1..$n"
exit $((failed > 0))
