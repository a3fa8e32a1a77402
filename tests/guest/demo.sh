#!/bin/sh
# Runs in the guest for `make demo`: every shipped scenario under the tracer, reports to /out.
# vm/run --nvme: the passthrough char device shows up about a second after init
i=0; while [ ! -e /dev/ng0n1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
insmod /lib/modules/ioucmd/ioucmd_ref.ko || exit 2
ioucmd run --json /out/report.json --html /out/report.html --prom /out/ioucmd.prom \
	/scenarios/*.ini | tee /out/report.ktap
