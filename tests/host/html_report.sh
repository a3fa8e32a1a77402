#!/bin/bash
# The reports a run writes, each checked against the JSON it renders:
#   - the HTML page in a real browser: headless Chromium lays it out and draws it; its
#     histograms have one bar per power of two of the JSON's buckets, with lengths in the
#     counts' proportions, and the plots' ink (bar and percentile colours in the screenshot)
#     lies inside the plots' boxes (report_check.py bars);
#   - the Prometheus textfile parses strictly and says what the JSON says (report_check.py prom);
#   - the JSON itself, of `ioucmd run` and of `ioucmd trace`, matches reports/SCHEMA.md
#     (report_check.py schema).
# A report with a violation (from the guest's fault scenarios, $IOUCMD_VIOLATION_REPORTS) must
# show the violation and its stacks; its screenshot is kept as build/tests/violation-report.png.
# KTAP; exit 0 pass, 1 fail, 4 skip.
set -uo pipefail
ioucmd=${IOUCMD:-build/ioucmd}
here=$(cd "$(dirname "$0")" && pwd)
# Debian's python, which has the packages make deps installs (PATH may name another first)
py=/usr/bin/python3
# Prometheus' own checker for report_check.py prom (found, or unpacked once into .cache/)
IOUCMD_PROMTOOL=$("$(cd "$(dirname "$0")/../.." && pwd)/scripts/promtool.sh") || IOUCMD_PROMTOOL=
export IOUCMD_PROMTOOL
[ -x $py ] || py=python3
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# report_check.py's points, numbered into this stream
check() { # PREFIX CHECK ARGS...
	local prefix=$1 line
	shift
	$py "$here/report_check.py" "$@" >"$work/check.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$prefix${line#ok - }" ;;
		"not ok - "*) not_ok "$prefix${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$work/check.out"
	grep -qE '^(not )?ok - ' "$work/check.out" || not_ok "$prefix$1: report_check.py gave no verdict"
}
echo "TAP version 13"
if ! command -v chromium >/dev/null; then
	echo "1..0 # SKIP chromium is not installed (make deps installs it)"
	exit 4
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

common=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--force-device-scale-factor=1 --hide-scrollbars --user-data-dir="$work/profile")
# the page as the browser lays it out: each plot's box and what is inside it, in page pixels
probe='<script>(function () {
  function box(e) { var r = e.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }
  function texts(s) { return Array.prototype.map.call(s.querySelectorAll("text"),
    function (t) { return { box: box(t), text: t.textContent }; }); }
  var g = { page: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    hist: [], pct: [] };
  document.querySelectorAll("svg.hist").forEach(function (s) { g.hist.push({ box: box(s),
    rects: Array.prototype.map.call(s.querySelectorAll("rect"), box), texts: texts(s) }); });
  document.querySelectorAll("svg.pct").forEach(function (s) { g.pct.push({ box: box(s),
    circles: Array.prototype.map.call(s.querySelectorAll("circle"), box), texts: texts(s) }); });
  var pre = document.createElement("pre"); pre.id = "ioucmd-geometry";
  pre.textContent = JSON.stringify(g); document.body.appendChild(pre);
})();</script>'

check_page() { # NAME HTML REPORT.json: the page renders with its plots, drawn as the JSON says
	local name=$1 html=$2 json=$3 height
	PROBE=$probe python3 -c 'import os, sys
page = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(page.replace("</body>", os.environ["PROBE"] + "</body>"))' \
		"$html" "$html.probe.html"
	if timeout 120 chromium "${common[@]}" --window-size=1200,1600 --dump-dom \
		"file://$html.probe.html" >"$html.dom" 2>"$html.log" &&
		python3 -c 'import html, re, sys
m = re.search(r"<pre id=\"ioucmd-geometry\">(.*?)</pre>", open(sys.argv[1]).read(), re.S)
sys.exit(not m) if not m else open(sys.argv[2], "w").write(html.unescape(m.group(1)))' \
			"$html.dom" "$html.geometry.json"; then
		ok "$name: chromium laid the page out"
	else
		not_ok "$name: chromium failed to lay the page out"; sed 's/^/# /' "$html.log" | tail -5
		return
	fi
	# the screenshot covers the whole page, in the probe's pixels
	height=$(python3 -c 'import json, sys; print(min(int(json.load(open(sys.argv[1]))["page"][1]) + 20, 12000))' \
		"$html.geometry.json")
	if timeout 120 chromium "${common[@]}" --window-size=1200,"$height" --screenshot="$html.png" \
		"file://$html" >>"$html.log" 2>&1; then
		ok "$name: chromium drew the page (1200x$height)"
	else
		not_ok "$name: chromium failed to draw the page"; sed 's/^/# /' "$html.log" | tail -5
		return
	fi
	ink=$(python3 "$here/png_ink.py" "$html.png")
	if awk -v i="$ink" 'BEGIN { exit !(i > 0.01) }'; then
		ok "$name: screenshot is not blank (${ink} of pixels inked)"
	else
		not_ok "$name: screenshot looks blank (${ink} of pixels inked)"
	fi
	check "$name: " bars "$json" "$html.geometry.json" "$html.png"
}

if [ -z "${IOUCMD_VIOLATION_REPORTS:-}" ]; then
	"$ioucmd" run -j "$work/run.json" --html "$work/run.html" --prom "$work/run-direct.prom" \
		scenarios/null.ini >/dev/null 2>&1
	"$ioucmd" report "$work/run.json" --html "$work/again.html" --prom "$work/run.prom"
	if cmp -s "$work/run.html" "$work/again.html" && cmp -s "$work/run.prom" "$work/run-direct.prom"; then
		ok "ioucmd report renders the same page and textfile as run --html --prom"
	else
		not_ok "ioucmd report renders a different page or textfile than run --html --prom"
	fi
	check_page "clean run" "$work/run.html" "$work/run.json"
	check "run: " prom "$work/run.json" "$work/run.prom"
	check "run: " schema reports/SCHEMA.md "$work/run.json"

	# a trace report: /dev/null's handler on this machine's backend, under load, with the live
	# textfile rewritten every 50 ms and copied as fast as the shell can while it is
	"$ioucmd" trace -H uring_cmd_null -j "$work/trace.json" --prom "$work/live.prom" \
		--prom-interval 50ms -i 200ms >"$work/trace.out" 2>&1 &
	tracer=$!
	for _ in $(seq 100); do grep -q '^ioucmd: backend' "$work/trace.out" && break; sleep 0.1; done
	mkdir -p "$work/snaps"
	"$ioucmd" submit -f /dev/null --cmd-op 0 -n 300000 -q 4 >/dev/null &
	load=$!
	i=0
	while kill -0 $load 2>/dev/null && [ $i -lt 400 ]; do
		cp "$work/live.prom" "$work/snaps/$(printf %04d $i).prom"
		i=$((i + 1))
	done
	wait $load
	# two more intervals printed: no command after the last one
	printed=$(grep -c '^uring_cmd_null:' "$work/trace.out")
	for _ in $(seq 100); do
		[ "$(grep -c '^uring_cmd_null:' "$work/trace.out")" -ge $((printed + 2)) ] && break
		sleep 0.1
	done
	kill -INT $tracer
	wait $tracer
	check "trace --prom: " prom-series "$work/snaps"
	check "trace -i: " intervals "$work/trace.json"
	"$ioucmd" report "$work/trace.json" --prom "$work/trace.prom"
	if cmp -s "$work/live.prom" "$work/trace.prom"; then
		ok "trace --prom's last rewrite is what ioucmd report renders of its -j report"
	else
		not_ok "trace --prom's last rewrite differs from ioucmd report's rendering of -j"
		diff "$work/live.prom" "$work/trace.prom" | head -5 | sed 's/^/# /'
	fi
	check "trace: " schema reports/SCHEMA.md "$work/trace.json"
	check "trace: " prom "$work/trace.json" "$work/trace.prom"
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
		"$ioucmd" report "$bad" --html "$work/bad.html" --prom "$work/bad.prom"
		check_page "run with violations" "$work/bad.html" "$bad"
		if grep -q 'class="violation"' "$work/bad.html.dom" && grep -q 'kernel stack' "$work/bad.html.dom"; then
			ok "run with violations: violations shown with their kernel stacks"
		else
			not_ok "run with violations: violations or stacks missing from the page"
		fi
		check "run with violations: " schema reports/SCHEMA.md "$bad"
		check "run with violations: " prom "$bad" "$work/bad.prom"
		mkdir -p build/tests && cp "$work/bad.html.png" build/tests/violation-report.png
	fi
fi
echo "1..$n"
exit $((failed > 0))
