#!/bin/sh
# Runs in the guest for `make demo`: every shipped scenario under the tracer, reports to /out.
insmod /lib/modules/ioucmd/ioucmd_ref.ko || exit 2
ioucmd run --json /out/report.json /scenarios/*.ini | tee /out/report.ktap
