#!/bin/bash
# Bad command lines and malformed scenario files, fed to the real `ioucmd` (built with ASan and
# UBSan: build/asan/ioucmd). Each must end with exit status 2, one precise message on stderr
# that names what was wrong (and, for a scenario, FILE:LINE), no sanitizer report, and no
# partial run: no report file written, no KTAP test point printed.
# KTAP; exit 0 pass, 1 fail (kselftest).
set -uo pipefail
ioucmd=${IOUCMD:-build/asan/ioucmd}
bad_dir=${1:-tests/host/bad-scenarios}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

# expect_usage WANT ARGS...: exit 2, stderr holds WANT, nothing written to $work/out.*
expect_usage() {
	local want=$1; shift
	local what="ioucmd $*"
	rm -f "$work"/out.*
	timeout 60 "$ioucmd" "$@" >"$work/stdout" 2>"$work/stderr"
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
expect_usage "-p takes a process id, not 'abc'" trace -p abc
expect_usage "-i takes a number of seconds, not '-1'" trace -i -1
expect_usage "--duration takes a number of seconds, not '5x'" trace --duration 5x
expect_usage "--stall-timeout takes a number of seconds, not 'soon'" trace --stall-timeout soon
expect_usage "not 'uprobe'" trace --backend uprobe
expect_usage "'no_such_fn_xyz' is not in /proc/kallsyms" trace -H no_such_fn_xyz \
	--backend tracepoint --duration 1 -j "$work/out.json"
expect_usage "requires an argument" trace -j
expect_usage "-c takes a cmd_op number or a reference-driver command name, not 'BOGUS'" trace -c BOGUS
expect_usage "--comm takes a task name of 1 to 15 characters" trace --comm 12345678901234567
expect_usage "name at least one scenario file" run
expect_usage "requires an argument" run -j
expect_usage "/nonexistent.ini: cannot open" run "${out[@]}" /nonexistent.ini
expect_usage "$bad_dir/13-unknown-cmd.ini:4: unknown command 'NOPE'" \
	run "${out[@]}" "$good" "$bad_dir/13-unknown-cmd.ini"
expect_usage "takes a number of seconds" run --stall-timeout x "${out[@]}" "$good"
expect_usage "name one REPORT.json" report
expect_usage "cannot read /nonexistent.json" report /nonexistent.json --html "$work/out.html"
printf '{ "not": "a report" ' >"$work/broken.json"
expect_usage "cannot read $work/broken.json" report "$work/broken.json" --html "$work/out.html"
expect_usage "are required" submit
expect_usage "'BOGUS' is not a reference-driver command" submit -f /dev/null -c BOGUS
expect_usage "--cmd-op takes a non-negative number, not 'zz'" submit -f /dev/null --cmd-op zz
expect_usage "-q takes a number from 1 to 32768, not '0'" submit -f /dev/null -c NOP -q 0
expect_usage "-b takes a number from 1 to 4096, not '9999'" submit -f /dev/null -c NOP -b 9999
expect_usage "--expect-res takes a CQE result" submit -f /dev/null -c NOP --expect-res x1
expect_usage "cannot open /nonexistent" submit -f /nonexistent -c NOP
expect_usage "-n and -r take positive numbers" bench -n abc
expect_usage "unexpected argument 'extra'" list extra

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
