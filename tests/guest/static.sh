#!/bin/sh
# Runs in the guest (make test-static): the statically linked ioucmd (make static) on a root with
# busybox and nothing else it could lean on: the dynamic loader and every shared library vm/run
# copied in are moved away first, and the dynamic build/ioucmd failing to start proves they are
# gone. Then the static one lists the handlers, traces the reference driver, and runs a shipped
# scenario by name from the tree it was installed in (BINDIR/../share/ioucmd/scenarios). KTAP.
# Usage: static.sh STATIC-IOUCMD
static=${1:?usage: static.sh STATIC-IOUCMD}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
comment() { sed 's/^/# /' "$@" | tail -30; }

echo "TAP version 13"
echo "1..5"
for d in /lib64 /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/local/lib; do
	[ -e "$d" ] && mv "$d" "$d.hidden"
done
# the control: with the loader gone, a dynamic program cannot start
if [ -x /usr/local/bin/ioucmd ] && ! /usr/local/bin/ioucmd help >/tmp/dyn.out 2>&1; then
	ok "no dynamic loader or shared library left: the dynamic ioucmd does not start"
else
	not_ok "the dynamic ioucmd still starts (or is missing): the shared libraries are not out of the way"
	comment /tmp/dyn.out
fi

insmod /lib/modules/ioucmd/ioucmd_ref.ko 2>/tmp/insmod.out || comment /tmp/insmod.out
"$static" list >/tmp/list.out 2>&1
rc=$?
if [ $rc = 0 ] && grep -q '^fentry  *works' /tmp/list.out && grep -q '^ioucmd_ref_uring_cmd .* yes$' /tmp/list.out; then
	ok "static ioucmd list: exit 0, the fentry backend works, ioucmd_ref_uring_cmd listed ($(grep -c . /tmp/list.out) lines)"
else
	not_ok "static ioucmd list: exit $rc, or fentry not working, or ioucmd_ref_uring_cmd not listed"
	comment /tmp/list.out
fi

# trace while the static binary's own submit drives the driver: the counts must be exact
"$static" trace --cqes -H ioucmd_ref_uring_cmd --duration 600 >/tmp/trace.out 2>&1 &
tracer=$!
i=0
while ! grep -q '^ioucmd: backend' /tmp/trace.out && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"$static" submit -f /dev/ioucmd-ref -c NOP_TW -n 1000 -q 16 >/tmp/submit.out 2>&1
src=$?
kill -INT $tracer
wait $tracer
trc=$?
if [ $src = 0 ] && [ $trc = 0 ] && grep -q 'issued 1000, queued 1000, sync 0, eagain 0, cancel calls 0, done 1000, cqes 1000, untracked 0' /tmp/trace.out &&
	! grep -q 'VIOLATION\|violations ' /tmp/trace.out; then
	ok "static ioucmd trace: 1000 NOP_TW issued and queued, no violation"
else
	not_ok "static ioucmd trace: submit exit $src, trace exit $trc, counts or violations wrong"
	comment /tmp/submit.out /tmp/trace.out
fi

"$static" run smoke >/tmp/run.out 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "^# scenario $(dirname "$static")/.*/scenarios/smoke.ini" /tmp/run.out &&
	grep -q '^# [0-9]* passed, 0 failed' /tmp/run.out; then
	ok "static ioucmd run smoke: the shipped scenario found by name, $(grep '^# [0-9]* passed' /tmp/run.out | cut -c3-)"
else
	not_ok "static ioucmd run smoke: exit $rc"
	comment /tmp/run.out
fi

"$static" run no-such-scenario >/tmp/nosuch.out 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "nor is 'no-such-scenario' a shipped scenario" /tmp/nosuch.out; then
	ok "static ioucmd run no-such-scenario: exit 2, says where it looked"
else
	not_ok "static ioucmd run no-such-scenario: exit $rc"
	comment /tmp/nosuch.out
fi
exit $((failed > 0))
