#!/bin/bash
# vm_accel.sh — vm/run's accelerator choice and exit status, against a stand-in QEMU
# (tests/host/fake-qemu) that plays a KVM which cannot run guests, a silent one and a working
# one, and a stand-in KVM device node whose identity keys the cached verdict. The guests
# themselves boot for real under TCG. KTAP; exit 0 pass, 1 fail.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
real=$(command -v qemu-system-x86_64) || { echo "1..0 # SKIP qemu-system-x86_64 missing"; exit 4; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FAKE_QEMU_REAL=$real FAKE_QEMU_LOG=$tmp/calls PATH=$top/tests/host/fake-qemu:$PATH
export IOUCMD_KVM_DEVICE=$tmp/kvm IOUCMD_ACCEL_CACHE=$tmp/verdicts
unset IOUCMD_ACCEL
# a loaded machine may take a while to print the first line even under a working accelerator:
# only the silent-KVM point below relies on the probe's own time limit
export IOUCMD_ACCEL_PROBE_SECS=120
: >"$IOUCMD_KVM_DEVICE"
n=0 failed=0

echo "KTAP version 1"
echo "1..16"
point() { # point OK DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/# /' <<<"$3"
		failed=1
	fi
}
kvm_calls() { grep -c '^kvm$' "$FAKE_QEMU_LOG" 2>/dev/null || true; }
# run EXPECTED_RC TIMEOUT VMRUN_ARGS... -- COMMAND: sets out, err, rc, secs
run() {
	local start=$SECONDS
	out=$("$top/vm/run" --timeout "$2" "${@:3}" 2>"$tmp/err" | tr -d '\0'; exit "${PIPESTATUS[0]}")
	rc=$?
	err=$(cat "$tmp/err")
	# the time spent waiting for a guest slot (other guests on this machine) is not vm/run's
	local waited
	waited=$(sed -n 's/^vm\/run: got a guest slot after \([0-9]*\)s$/\1/p' "$tmp/err")
	secs=$((SECONDS - start - ${waited:-0}))
	[ "$rc" = "$1" ]
}

# 1-3: a KVM that stops at its first emulated instruction: auto probes, says so once, uses TCG
export FAKE_KVM=broken
: >"$FAKE_QEMU_LOG"
run 3 120 -- sh -c 'exit 3'
point $? "auto, broken KVM: the guest ran under TCG and its status came back (rc $rc, ${secs}s)" "$err"
grep -q 'KVM cannot run a guest on this machine (QEMU: KVM internal error' <<<"$err"
point $? "auto, broken KVM: one line says why KVM is not used" "$err"
[ "$(kvm_calls)" = 1 ] && [ "$secs" -lt 60 ] && grep -q '^tcg QEMU: KVM internal error' "$tmp"/verdicts/kvm-*
point $? "auto, broken KVM: probed once, well within the timeout, verdict cached" \
	"kvm calls $(kvm_calls), ${secs}s; $(cat "$tmp"/verdicts/kvm-* 2>&1)"

# 4-5: the cached verdict is used without probing again
run 0 120 -- true
point $? "auto, cached verdict: the guest ran (rc $rc)" "$err"
[ "$(kvm_calls)" = 1 ] && grep -q 'accel tcg (KVM cannot run a guest here' <<<"$err"
point $? "auto, cached verdict: no second probe, the start line names accelerator and reason" \
	"kvm calls $(kvm_calls); $err"

# 6: a new device node (another boot, another /dev/kvm) is probed again
rm -f "$IOUCMD_KVM_DEVICE"; : >"$IOUCMD_KVM_DEVICE.new"; mv "$IOUCMD_KVM_DEVICE.new" "$IOUCMD_KVM_DEVICE"
run 0 120 -- true
[ "$rc" = 0 ] && [ "$(kvm_calls)" = 2 ]
point $? "auto: a changed KVM device is probed again" "kvm calls $(kvm_calls); $err"

# 7-8: --accel kvm where KVM cannot run guests fails in seconds, naming the cause and the way out
run 2 300 --accel kvm -- true
point $? "--accel kvm, broken KVM, cached verdict: exit 2 (rc $rc, ${secs}s)" "$err"
[ "$secs" -lt 10 ] && grep -q 'KVM cannot run a guest.*--accel auto or tcg' <<<"$err"
point $? "--accel kvm, broken KVM: fails fast and says what to do" "${secs}s; $err"
rm -rf "$IOUCMD_ACCEL_CACHE"
run 2 300 --accel kvm -- true
[ "$secs" -lt 30 ]
point $? "--accel kvm, broken KVM, no verdict yet: probes and fails in ${secs}s (rc $rc)" "$err"

# 10: tcg when asked: KVM is never touched
: >"$FAKE_QEMU_LOG"
IOUCMD_ACCEL=tcg run 4 120 -- sh -c 'exit 4'
[ "$rc" = 4 ] && [ "$(kvm_calls)" = 0 ] && grep -q 'accel tcg (asked for)' <<<"$err"
point $? "IOUCMD_ACCEL=tcg: TCG without a probe (rc $rc)" "kvm calls $(kvm_calls); $err"

# 11: a KVM that prints nothing: the probe gives up after its documented time
export FAKE_KVM=silent
rm -rf "$IOUCMD_ACCEL_CACHE"
IOUCMD_ACCEL_PROBE_SECS=5 run 0 120 -- true
[ "$rc" = 0 ] && grep -q 'printed nothing within 5s' <<<"$err"
point $? "auto, silent KVM: probe gives up after IOUCMD_ACCEL_PROBE_SECS, TCG used (${secs}s)" "$err"

# 12: a KVM that runs guests is used
export FAKE_KVM=works
rm -rf "$IOUCMD_ACCEL_CACHE"
: >"$FAKE_QEMU_LOG"
run 6 120 -- sh -c 'exit 6'
[ "$rc" = 6 ] && [ "$(kvm_calls)" = 2 ] && grep -q 'accel kvm (a guest ran under it here)' <<<"$err"
point $? "auto, working KVM: probe then the guest under KVM (rc $rc)" "kvm calls $(kvm_calls); $err"

# 13: a KVM verdict that stops holding (the run's own guest hits the internal error): TCG reruns it
export FAKE_KVM=broken
run 0 120 -- true
[ "$rc" = 0 ] && grep -q 'KVM cannot run this guest.*booting it again under TCG' <<<"$err" &&
	grep -q '^tcg' "$tmp"/verdicts/kvm-*
point $? "auto, KVM fails in the real run: rerun under TCG, verdict now tcg (${secs}s)" "$err"

# 14-16: the status reaches the host whatever the command printed last
export IOUCMD_ACCEL=tcg
run 5 120 -- sh -c 'printf x; exit 5'
[ "$rc" = 5 ] && grep -qx x <<<"$out"
point $? "no final newline: status 5 and the output kept (rc $rc)" "$err"
run 6 120 -- sh -c 'head -c 4096 /dev/urandom; exit 6'
point $? "binary output: status 6 (rc $rc)" "$err"
run 7 120 -- sh -c 'head -c 100000 /dev/zero | tr "\0" a; exit 7'
point $? "a line of 100000 characters without a newline: status 7 (rc $rc)" "$err"
exit $failed
