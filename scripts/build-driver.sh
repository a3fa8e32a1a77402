#!/bin/bash
# build-driver.sh [--arch x86_64|arm64] KERNEL — builds driver/ against a cached Debian
# kernel's headers (vm/kernel), outside the source tree, into build/driver/<uname -r>/.
#
# The compiler is the one the kernel was built with (its CONFIG_CC_VERSION_TEXT, major version):
#   - bookworm's gcc 12 for bookworm's 6.1 and bookworm-backports' 6.12 (x86_64), on the host;
#   - a newer gcc (sid's 7.x: gcc 16) from a sid tool root (scripts/toolroot.sh), chrooted;
#   - arm64: bookworm's cross gcc 12 (gcc-aarch64-linux-gnu) with the amd64 kbuild programs.
# Exit status 0, 2 on a usage or setup error, or kbuild's failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=x86_64
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch needs x86_64 or arm64}
	shift 2
fi
kdir=$("$top/vm/kernel" --arch "$arch" "${1:-6.12}")
release=$(cat "$kdir/release")
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' "$kdir/build/.config")
want=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)/\1/p' "$kdir/build/.config")
want=$((${want:-0} / 10000))
out=$top/build/driver/$release
mkdir -p "$out/src/driver" "$out/src/include"
# copy only what changed so kbuild's own dependency tracking keeps working
cp -u "$top"/driver/*.c "$top"/driver/*.h "$top"/driver/Kbuild "$out/src/driver/" 2>/dev/null || true
cp -ru "$top/include/." "$out/src/include/"
kmake=(make -s -C "$kdir/build" M="$out/src/driver")
# Debian's 6.1 kbuild ships no resolve_btfids; the module has no BTF_ID sets for it to fix
[ -x "$kdir/build/tools/bpf/resolve_btfids/resolve_btfids" ] || kmake+=(RESOLVE_BTFIDS=true)

if [ "$arch" = arm64 ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null || bash "$top/scripts/cross-arm64.sh" --compiler
	have=$(aarch64-linux-gnu-gcc -dumpversion | cut -d. -f1)
	[ "$have" = "$want" ] || {
		echo "build-driver: $release was built with gcc $want, the cross gcc is $have" >&2
		exit 2
	}
	echo "build-driver: $release ($cc_text) with bookworm's aarch64-linux-gnu-gcc-$have" >&2
	"${kmake[@]}" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
else
	have=$(gcc -dumpversion | cut -d. -f1)
	if [ "$want" -gt "$have" ]; then
		# a module needs the kernel's own compiler: sid's, from the cached tool root
		echo "build-driver: $release ($cc_text) with gcc-$want in the sid tool root" \
			"(bookworm has gcc $have)" >&2
		"$top/scripts/toolroot.sh" run "$want" "$kdir" "$out" -- "${kmake[@]}" modules
	else
		"${kmake[@]}" modules
	fi
fi
cp "$out/src/driver/ioucmd_ref.ko" "$out/ioucmd_ref.ko"
echo "driver: $out/ioucmd_ref.ko"
