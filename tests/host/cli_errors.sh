#!/bin/bash
# Bad command lines and malformed scenario files, fed to the real `ioucmd` and `ioucmd-bench`
# (built with ASan and UBSan: build/asan/). Each must end with exit status 2, one precise message on stderr
# that names what was wrong (and, for a scenario, FILE:LINE), no sanitizer report, and no
# partial run: no report file written, no KTAP test point printed.
# KTAP; exit 0 pass, 1 fail (kselftest).
set -uo pipefail
ioucmd=${IOUCMD:-build/asan/ioucmd}
bench=${IOUCMD_BENCH:-build/asan/ioucmd-bench}
bad_dir=${1:-tests/host/bad-scenarios}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

# expect_usage WANT ARGS...: `ioucmd ARGS` exits 2, stderr holds WANT, nothing written to
# $work/out.*; with prog=PATH in the environment, PATH instead of ioucmd
expect_usage() {
	local want=$1; shift
	local exe=${prog:-$ioucmd}
	local what="$(basename "$exe") $*"
	rm -f "$work"/out.*
	timeout 60 "$exe" "$@" >"$work/stdout" 2>"$work/stderr"
	local rc=$?
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$work/stderr"; then
		not_ok "$what: sanitizer report"
		sed 's/^/# /' "$work/stderr" | head -20
	elif [ $rc != 2 ]; then
		not_ok "$what: exit $rc, want 2"
		sed 's/^/# /' "$work/stderr" | head -5
	elif ! grep -qF -- "$want" "$work/stderr"; then
		not_ok "$what: stderr does not say '$want'"
		sed 's/^/# /' "$work/stderr" | head -5
	elif ls "$work"/out.* >/dev/null 2>&1 || grep -q '^ok \|^not ok ' "$work/stdout"; then
		not_ok "$what: a partial run (report written or test points printed)"
	else
		ok "$what: exit 2, '$(head -1 "$work/stderr" | cut -c1-110)'"
	fi
}

echo "TAP version 13"
good=scenarios/null.ini
out=(-j "$work/out.json" --html "$work/out.html" --prom "$work/out.prom")

# ---- command lines ----
expect_usage "usage: ioucmd SUBCOMMAND"
expect_usage "unknown subcommand 'bogus'" bogus
expect_usage "unrecognized option '--bogus'" trace --bogus
expect_usage "-p expects a number (decimal or 0x hex), got 'abc'" trace -p abc
expect_usage "-i expects a duration (seconds, or a number with ns, us, ms or s" trace -i -1
expect_usage "--duration has an unknown unit 'x' (use ns, us, ms or s), got '5x'" trace --duration 5x
expect_usage "--stall-timeout expects a duration (seconds, or a number with ns, us, ms or s: 500ms, 1.5s), got 'soon'" trace --stall-timeout soon
expect_usage "--backend must be one of auto|fentry|kprobe|tracepoint, got 'uprobe'" trace --backend uprobe
expect_usage "'no_such_fn_xyz' is not in /proc/kallsyms" trace -H no_such_fn_xyz \
	--backend tracepoint --duration 1 -j "$work/out.json"
expect_usage "requires an argument" trace -j
expect_usage "-c expects a cmd_op: a number, or a command name such as NOP_TW or IOUCMD_REF_NOP_TW, got 'BOGUS'" trace -c BOGUS
expect_usage "--comm must be a task name of 1 to 15 characters" trace --comm 12345678901234567
expect_usage "-T goes with -i INTERVAL" trace -T
expect_usage "--cumulative goes with -i INTERVAL" trace --cumulative
expect_usage "--prom-interval goes with --prom FILE" trace --prom-interval 5s
expect_usage "--prom-interval must be longer than 0, got '0'" trace --prom /tmp/x.prom --prom-interval 0
expect_usage "--prom: cannot write $work/no-such-dir/ioucmd.prom.tmp." trace --backend tracepoint \
	--prom "$work/no-such-dir/ioucmd.prom"
expect_usage "name at least one scenario file" run
expect_usage "requires an argument" run -j
expect_usage "/nonexistent.ini: cannot open" run "${out[@]}" /nonexistent.ini
expect_usage "$bad_dir/13-unknown-cmd.ini:4: unknown command 'NOPE'" \
	run "${out[@]}" "$good" "$bad_dir/13-unknown-cmd.ini"
expect_usage "--stall-timeout expects a duration" run --stall-timeout x "${out[@]}" "$good"
expect_usage "name one REPORT.json" report
expect_usage "cannot read /nonexistent.json" report /nonexistent.json --html "$work/out.html"
printf '{ "not": "a report" ' >"$work/broken.json"
expect_usage "cannot read $work/broken.json" report "$work/broken.json" --html "$work/out.html"
expect_usage "are required" submit
expect_usage "-c expects a cmd_op: a number, or a command name" submit -f /dev/null -c BOGUS
expect_usage "--cmd-op expects a cmd_op: a number, or a command name" submit -f /dev/null --cmd-op zz
expect_usage "-q must be between 1 and 32768, got '0'" submit -f /dev/null -c NOP -q 0
expect_usage "-b must be between 1 and 32768, got '99999'" submit -f /dev/null -c NOP -b 99999
expect_usage "--expect-res expects a number (decimal, a fraction, 0x hex or an errno name" submit -f /dev/null -c NOP --expect-res x1
expect_usage "cannot open /nonexistent" submit -f /nonexistent -c NOP
prog=$bench expect_usage "-n expects a number (decimal or 0x hex), got 'abc'" -n abc
prog=$bench expect_usage "--clock must be wall, icount or cpu, got 'tsc'" --clock tsc
prog=$bench expect_usage "--configs: no configuration 'perf' (untraced, floor, floor+clock," \
	--configs untraced,perf
prog=$bench expect_usage "--watchdog must be at least 1s, got '0.5'" --watchdog 0.5
expect_usage "unexpected argument 'extra'" list extra

# ---- one parser: the spellings of tests/host/spellings/, with the verdicts scenario files give
# them (test_scenario.c reads the same tables). An accepted value gets past the options to
# the next complaint (AFTER); a refused one is named with its option.
# verdict_is VERDICT OPTION INPUT AFTER ARGS...
verdict_is() {
	local verdict=$1 opt=$2 input=$3 after=$4; shift 4
	local what="$(basename "$ioucmd") $*"
	timeout 60 "$ioucmd" "$@" >"$work/stdout" 2>"$work/stderr"
	local rc=$? first
	first=$(head -1 "$work/stderr")
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$work/stderr"; then
		not_ok "$what: sanitizer report"
	elif [ $rc != 2 ]; then
		not_ok "$what: exit $rc, want 2"
	elif [ "$verdict" = refused ] && [[ $first != *": $opt "*", got '$input'" ]]; then
		not_ok "$what: '$input' must be refused by $opt as in scenarios, got '$first'"
	elif [ "$verdict" != refused ] && [[ $first != *"$after"* ]]; then
		not_ok "$what: '$input' must be accepted by $opt as in scenarios, got '$first'"
	else
		ok "$what: ${verdict/#[0-9]*/accepted} as in scenarios"
	fi
}
spellings=$(dirname "$0")/spellings
while IFS=$'\t' read -r input verdict; do
	[[ $input == "#"* || -z $input ]] && continue
	verdict_is "$verdict" --stall-timeout "$input" "/nonexistent.ini: cannot open" \
		run --stall-timeout "$input" /nonexistent.ini
	verdict_is "$verdict" --stall-timeout "$input" "module 'ioucmd_no_such_module' has no" \
		trace --stall-timeout "$input" -d ioucmd_no_such_module
done <"$spellings/durations.txt"
while IFS=$'\t' read -r input verdict; do
	[[ $input == "#"* || -z $input ]] && continue
	verdict_is "$verdict" -c "$input" "module 'ioucmd_no_such_module' has no" \
		trace -c "$input" -d ioucmd_no_such_module
	verdict_is "$verdict" -c "$input" "cannot open /nonexistent" submit -f /nonexistent -c "$input"
done <"$spellings/cmd_ops.txt"

# ---- malformed scenarios: each file's first line says what the error must be ----
nr_bad=0
for f in "$bad_dir"/*.ini; do
	line=$(sed -n '1s/^; expect-error: \([0-9]*\): .*/\1/p' "$f")
	msg=$(sed -n '1s/^; expect-error: [0-9]*: //p' "$f")
	if [ -z "$line" ]; then
		not_ok "$f: first line is not '; expect-error: LINE: MESSAGE'"
		continue
	fi
	nr_bad=$((nr_bad + 1))
	# the message up to its first quote-free clause is enough to be precise
	expect_usage "$f:$line: ${msg:0:40}" run "${out[@]}" "$f"
done
if [ $nr_bad -ge 20 ]; then
	ok "$nr_bad distinct malformed scenarios rejected"
else
	not_ok "only $nr_bad malformed scenarios (want 20 or more)"
fi
echo "1..$n"
exit $((failed > 0))
