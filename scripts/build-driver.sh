#!/bin/bash
# build-driver.sh KERNEL — builds driver/ against a cached Debian kernel's headers, outside the
# source tree, into build/driver/<uname -r>/ioucmd_ref.ko.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/vm/kernel" "${1:-6.12}")
release=$(cat "$kdir/release")
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
