#!/bin/sh
# Runs in the guest (vm/run): the reference driver fuzzed (scenarios/fuzz/ref.ini, 60 s), then
# the kernel log must be free of oopses, WARNs, BUG and lockdep splats. KTAP on stdout.
insmod /lib/modules/ioucmd/ioucmd_ref.ko || { echo "not ok 1 - insmod ioucmd_ref"; exit 1; }
status=0
ioucmd run /scenarios/fuzz/ref.ini || status=1
sh /tests/guest/dmesg_clean.sh "60 s of fuzzing" || status=1
exit $status
