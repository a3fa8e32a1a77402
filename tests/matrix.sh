#!/bin/bash
# make matrix: one build, three kernels. Boots Debian's bookworm 6.1, bookworm-backports 6.12
# and sid (7.x) cloud kernels one after another; on each, runs the tracer against NVMe
# passthrough and the kernel's own handlers, and against the reference driver where it can be
# built for that kernel; prints a kernel x check table (pass / fail / skip with the reason).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=${MATRIX_KERNELS:-6.1 6.12 sid}
out=build/matrix
mkdir -p "$out"
declare -A cell
checks=(nvme null socket smoke)
status=0
for k in $kernels; do
	start=$(date +%s)
	driver=yes why=
	if ! bash scripts/build-driver.sh "$k" >"$out/driver-$k.log" 2>&1; then
		driver=no
		why=$(grep -m1 -E 'build-driver:|error' "$out/driver-$k.log" | sed 's/^build-driver: //' | cut -c1-110)
	fi
	scen="/scenarios/nvme.ini /scenarios/null.ini /scenarios/socket.ini"
	[ "$driver" = yes ] && scen="$scen /scenarios/smoke.ini"
	vm/run --kernel "$k" --nvme --timeout 900 -- sh -c "
		i=0; while [ ! -e /dev/ng0n1 ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
		ioucmd run -j /tmp/m.json $scen" >"$out/run-$k.log" 2>&1
	rc=$?
	for c in "${checks[@]}"; do
		if [ "$c" = smoke ] && [ "$driver" = no ]; then
			cell[$k,$c]="skip: driver not built (${why:-see $out/driver-$k.log})"
			continue
		fi
		if grep -q "^not ok .*/scenarios/$c.ini" "$out/run-$k.log"; then
			cell[$k,$c]=fail
			status=1
		elif grep -q "^ok .*/scenarios/$c.ini.*# SKIP" "$out/run-$k.log" &&
			! grep -q "^ok .*/scenarios/$c.ini/" "$out/run-$k.log"; then
			cell[$k,$c]="skip: $(grep -m1 "^ok .*/scenarios/$c.ini.*# SKIP" "$out/run-$k.log" | sed 's/.*# SKIP //')"
		elif grep -q "^ok .*/scenarios/$c.ini" "$out/run-$k.log"; then
			cell[$k,$c]=pass
		else
			cell[$k,$c]="fail (no result; vm/run status $rc)"
			status=1
		fi
	done
	cell[$k,release]=$(sed -n 's/^vm\/run: kernel \([^ ]*\).*/\1/p' "$out/run-$k.log" | head -1)
	cell[$k,seconds]=$(($(date +%s) - start))
done
printf '\n%-8s %-30s' kernel release
for c in "${checks[@]}"; do printf ' %-10s' "$c"; done
printf ' %s\n' seconds
for k in $kernels; do
	printf '%-8s %-30s' "$k" "${cell[$k,release]}"
	for c in "${checks[@]}"; do printf ' %-10s' "${cell[$k,$c]%%:*}"; done
	printf ' %s\n' "${cell[$k,seconds]}"
done
for k in $kernels; do
	for c in "${checks[@]}"; do
		case "${cell[$k,$c]}" in skip:*|fail*) echo "  $k $c: ${cell[$k,$c]}" ;; esac
	done
done
echo "logs: $out/"
exit $status
