#!/bin/bash
# build-driver.sh KERNEL — builds driver/ against a cached Debian kernel's headers, outside the
# source tree, into build/driver/<uname -r>/ioucmd_ref.ko.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/vm/kernel" "${1:-6.12}")
release=$(cat "$kdir/release")
# modules must be built by the compiler the kernel was built with (major version at least)
want=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)/\1/p' "$kdir/build/.config" 2>/dev/null)
have=$(gcc -dumpfullversion 2>/dev/null | awk -F. '{ printf "%d%02d%02d", $1, $2, $3 }')
if [ -n "$want" ] && [ -n "$have" ] && [ $((want / 10000)) -gt $((have / 10000)) ]; then
	echo "build-driver: $release was built with gcc $((want / 10000)); this machine has gcc" \
		"$((have / 10000)) (bookworm): a module needs the kernel's compiler (a sid tool chroot)" >&2
	exit 3
fi
out=$top/build/driver/$release
mkdir -p "$out/src/driver" "$out/src/include"
# copy only what changed so kbuild's own dependency tracking keeps working
cp -u "$top"/driver/*.c "$top"/driver/*.h "$top"/driver/Kbuild "$out/src/driver/" 2>/dev/null || true
cp -ru "$top/include/." "$out/src/include/"
extra=()
# Debian's 6.1 kbuild ships no resolve_btfids; the module has no BTF_ID sets for it to fix
[ -x "$kdir/build/tools/bpf/resolve_btfids/resolve_btfids" ] || extra+=(RESOLVE_BTFIDS=true)
make -s -C "$kdir/build" M="$out/src/driver" "${extra[@]}" modules
cp "$out/src/driver/ioucmd_ref.ko" "$out/ioucmd_ref.ko"
echo "driver: $out/ioucmd_ref.ko"
