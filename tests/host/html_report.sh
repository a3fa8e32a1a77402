#!/bin/bash
# The HTML report in a real browser: headless Chromium renders the page a run wrote, with its
# histogram and percentile plot, and a screenshot of it is not blank. A report with a violation
# (from the guest's fault scenarios, $IOUCMD_VIOLATION_REPORTS) must show the violation and its
# stacks; its screenshot is kept as build/tests/violation-report.png. KTAP; exit 0 pass, 1 fail, 4 skip.
set -uo pipefail
ioucmd=${IOUCMD:-build/ioucmd}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
echo "TAP version 13"
if ! command -v chromium >/dev/null; then
	echo "1..0 # SKIP chromium is not installed (make deps installs it)"
	exit 4
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

browse() { # HTML PNG: dump the DOM and take a screenshot
	local common=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--user-data-dir="$work/profile" --window-size=1200,1600)
	timeout 120 chromium "${common[@]}" --dump-dom "file://$1" >"$1.dom" 2>"$1.log" &&
		timeout 120 chromium "${common[@]}" --screenshot="$2" "file://$1" >>"$1.log" 2>&1
}

check_page() { # NAME HTML: the page renders with its plots, and is not blank
	local name=$1 html=$2
	if browse "$html" "$html.png"; then ok "$name: chromium rendered it"; else
		not_ok "$name: chromium failed"; sed 's/^/# /' "$html.log" | tail -5; return; fi
	if grep -q '<svg class="hist"' "$html.dom" && grep -q '<svg class="pct"' "$html.dom"; then
		ok "$name: latency histogram and percentile plot are in the rendered page"
	else
		not_ok "$name: no latency plots in the rendered page"
	fi
	ink=$(python3 tests/host/png_ink.py "$html.png")
	if awk -v i="$ink" 'BEGIN { exit !(i > 0.01) }'; then
		ok "$name: screenshot is not blank (${ink} of pixels inked)"
	else
		not_ok "$name: screenshot looks blank (${ink} of pixels inked)"
	fi
}

if [ -z "${IOUCMD_VIOLATION_REPORTS:-}" ]; then
	"$ioucmd" run -j "$work/run.json" --html "$work/run.html" scenarios/null.ini >/dev/null 2>&1
	"$ioucmd" report "$work/run.json" --html "$work/again.html" --prom "$work/run.prom"
	if cmp -s "$work/run.html" "$work/again.html"; then
		ok "ioucmd report renders the same page as run --html"
	else
		not_ok "ioucmd report renders a different page than run --html"
	fi
	check_page "clean run" "$work/run.html"
fi

# IOUCMD_VIOLATION_REPORTS: a directory of fault runs' reports (tests/faults.sh); the first one
# that holds a violation with a kernel stack is rendered. Asked for and absent is a failure.
if [ -n "${IOUCMD_VIOLATION_REPORTS:-}" ]; then
	bad=
	for f in "$IOUCMD_VIOLATION_REPORTS"/*/report.json; do
		[ -f "$f" ] || continue
		# a trace report holds violations; a run report, its scenarios do
		if python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
vs = (r.get("violations") or []) + [v for s in r.get("scenarios", []) for v in s.get("violations") or []]
sys.exit(not any(v.get("stack") for v in vs))' "$f" 2>/dev/null; then
			bad=$f
			break
		fi
	done
	if [ -z "$bad" ]; then
		not_ok "run with violations: no report with a violation and its stack in $IOUCMD_VIOLATION_REPORTS"
	else
		echo "# rendering $bad"
		"$ioucmd" report "$bad" --html "$work/bad.html"
		check_page "run with violations" "$work/bad.html"
		if grep -q 'class="violation"' "$work/bad.html.dom" && grep -q 'kernel stack' "$work/bad.html.dom"; then
			ok "run with violations: violations shown with their kernel stacks"
		else
			not_ok "run with violations: violations or stacks missing from the page"
		fi
		mkdir -p build/tests && cp "$work/bad.html.png" build/tests/violation-report.png
	fi
fi
echo "1..$n"
exit $((failed > 0))
