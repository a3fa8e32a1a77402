#!/bin/sh
# Runs in the guest (vm/run): every guest suite that can share one boot. KTAP on stdout.
# The reference driver's module is at /lib/modules/ioucmd/ioucmd_ref.ko, ioucmd on PATH.
# vm/run --nvme: the passthrough char device shows up about a second after init
i=0; while [ ! -e /dev/ng0n1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
status=0
if [ ! -f /lib/modules/ioucmd/ioucmd_ref.ko ]; then
	# build-driver.sh refused (the kernel's compiler is newer than bookworm's): say so, and
	# trace what the kernel itself has
	echo "ok 1 - reference driver on $(uname -r) # SKIP not built: the kernel needs a newer gcc"
	ioucmd run /scenarios/nvme.ini /scenarios/null.ini /scenarios/socket.ini || status=1
	sh /tests/guest/trace_filters.sh fentry || status=1
else
	if ! insmod /lib/modules/ioucmd/ioucmd_ref.ko; then
		echo "not ok 1 - insmod ioucmd_ref ($(uname -r))"
		exit 1
	fi
	sh /tests/guest/tracer_counts.sh fentry || status=1
	sh /tests/guest/tracer_counts.sh kprobe || status=1
	sh /tests/guest/trace_filters.sh fentry || status=1
	sh /tests/guest/trace_filters.sh kprobe || status=1
	ioucmd run /scenarios/*.ini || status=1
	sh /tests/guest/unload.sh || status=1
fi
if [ -x /tests/bin/ref_selftest ]; then
	/tests/bin/ref_selftest || status=1
fi
# nothing above may have left a kernel splat behind
sh /tests/guest/dmesg_clean.sh "every guest suite" || status=1
exit $status
