#!/bin/sh
# Runs in the guest: the reference driver cannot be unloaded while a command is in flight, and
# unloads and reloads cleanly afterwards. KTAP on stdout; exit 0 pass, 1 fail (kselftest).
ko=/lib/modules/ioucmd/ioucmd_ref.ko
echo "TAP version 13"
n=0 status=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; status=1; }
rmmod ioucmd_ref 2>/dev/null
insmod "$ko" || { fail "insmod"; exit 1; }
# 64 commands on 1 s timers: in flight for a second
ioucmd submit -f /dev/ioucmd-ref -c DELAY --arg 1000000000 -n 64 -q 64 >/tmp/submit.out 2>&1 &
pid=$!
sleep 0.3
if rmmod ioucmd_ref 2>/tmp/rmmod.err; then
	fail "rmmod with 64 commands in flight is refused (it unloaded)"
else
	ok "rmmod with 64 commands in flight is refused: $(head -1 /tmp/rmmod.err)"
fi
wait $pid && ok "the in-flight commands completed after the refused unload" ||
	fail "the in-flight commands: $(tail -2 /tmp/submit.out)"
rmmod ioucmd_ref && ok "rmmod once nothing is in flight" || fail "rmmod once nothing is in flight"
insmod "$ko" && ok "insmod again" || fail "insmod again"
ioucmd submit -f /dev/ioucmd-ref -c NOP_TW --arg 7 -n 1000 -q 16 --expect-res 7 >/tmp/submit.out 2>&1 &&
	ok "the reloaded driver completes 1000 NOP_TW" || fail "the reloaded driver: $(tail -2 /tmp/submit.out)"
echo "1..$n"
exit $status
