#!/bin/bash
# Host test of ioucmd-bench's bpftrace column on this machine's tracepoint backend: bpftrace is
# stopped right after it attached (a few hundred commands per round), the moment Debian 12's
# bpftrace 0.17 loses a SIGINT most often and polls on for good; every round must still end with
# bpftrace's histogram, no configuration failed, within the watchdog.
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
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the bench loads BPF programs: it needs root"
	exit 4
fi
if ! command -v bpftrace >/dev/null; then
	echo "1..0 # SKIP bpftrace is not installed (make deps installs it)"
	exit 4
fi
echo "1..3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=0
rounds=6
timeout 300 "$bench" --quick -r $rounds -n 200 --only "null cmd qd1" --configs untraced,bpftrace \
	--watchdog 20 -o "$work" >"$work/out" 2>"$work/err"
rc=$?
check "bpftrace stopped in each of $rounds rounds: the bench exits 0 (got $rc)" [ $rc = 0 ]
check "bench.json: no failure, a bpftrace number" \
	[ "$(json "$work/bench.json" "d['failures'], 'ns_per_cmd' in d['rows'][0].get('bpftrace', {})")" = "0 True" ]
resent=$(json "$work/bench.json" "d['bpftrace_sigint_resent']")
check "the SIGINTs bpftrace missed are counted (${resent:-none})" [ -n "$resent" ]
echo "# bpftrace missed $resent of $rounds SIGINTs; each was sent again"
[ $failed = 0 ] || sed 's/^/# /' "$work/err" | tail -8
[ $failed = 0 ]
