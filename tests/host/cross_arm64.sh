#!/bin/bash
# The arm64 cross build (scripts/cross-arm64.sh): ioucmd and ioucmd-bench are AArch64 executables linked
# against Debian's arm64 libraries, and the BPF objects are compiled for arm64's registers
# (their BTF holds struct user_pt_regs, which x86's does not). Running them needs an arm64
# machine and is not attempted. KTAP; exit 0 pass, 1 fail (kselftest).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/arm64
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
echo "TAP version 13"
rm -rf "$out/ioucmd" "$out/ioucmd-bench" "$out"/bpf/*.bpf.o "$out"/obj
if log=$(bash "$top/scripts/cross-arm64.sh" 2>&1); then
	ok "scripts/cross-arm64.sh built everything"
else
	not_ok "scripts/cross-arm64.sh failed"
	sed 's/^/# /' <<<"$log" | tail -20
fi
for prog in ioucmd ioucmd-bench; do
	machine=$(readelf -h "$out/$prog" 2>/dev/null | awk -F: '/Machine/ { gsub(/^ +/, "", $2); print $2 }')
	if [ "$machine" = AArch64 ]; then
		ok "build/arm64/$prog is an $machine executable"
	else
		not_ok "build/arm64/$prog: machine '${machine:-none}', want AArch64"
	fi
done
needed=$(readelf -d "$out/ioucmd" 2>/dev/null | grep -c 'NEEDED.*\(libbpf\|liburing\|libjson-c\)')
if [ "$needed" = 3 ]; then
	ok "it links Debian's arm64 libbpf, liburing and json-c"
else
	not_ok "it links $needed of libbpf, liburing, json-c"
fi
for o in ioucmd ioucmd_tp floor; do
	obj=$out/bpf/$o.bpf.o
	if [ "$(readelf -h "$obj" 2>/dev/null | awk -F: '/Machine/ { gsub(/^ +/, "", $2); print $2 }')" = "Linux BPF" ]; then
		ok "$o.bpf.o is a BPF object"
	else
		not_ok "$o.bpf.o is missing or not BPF"
	fi
done
# the kprobe programs read arguments through arm64's pt_regs: proof the target was arm64
btf=$(bpftool btf dump file "$out/bpf/ioucmd.bpf.o" 2>/dev/null)
if grep -q "STRUCT 'user_pt_regs'" <<<"$btf"; then
	ok "ioucmd.bpf.o reads kprobe arguments from arm64's struct user_pt_regs"
else
	not_ok "ioucmd.bpf.o has no struct user_pt_regs: not built for arm64"
fi
echo "1..$n"
exit $((failed > 0))
