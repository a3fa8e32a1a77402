#!/bin/bash
# cross-arm64.sh — the BPF objects, ioucmd and ioucmd-bench built for arm64 on this x86 machine,
# into build/arm64/, for vm/run --arch arm64 (a TCG guest) and arm64 machines.
#   --compiler   only install the cross compiler (scripts/build-driver.sh --arch arm64 needs it)
#   --busybox    only fetch the arm64 busybox-static for the guest's initramfs; prints its path
#
#   - the compiler: Debian's gcc-aarch64-linux-gnu (bookworm), installed if missing;
#   - the libraries to link against: the arm64 builds of the same Debian packages the native
#     build uses, downloaded by a private apt (APT::Architecture=arm64, bookworm and
#     bookworm-backports) and unpacked into .cache/arm64/sysroot; the host's dpkg is not touched;
#   - vmlinux.h: the BTF of Debian's arm64 cloud kernel (bookworm-backports 6.12), cut out of its
#     vmlinuz by scripts/extract-btf.py, so the BPF side compiles against arm64's pt_regs.
# The BPF C sources are the same; only -D__TARGET_ARCH_arm64 and vmlinux.h differ: CO-RE does
# the rest at load time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache/arm64
out=$top/build/arm64
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
CROSS=aarch64-linux-gnu-

die() { echo "cross-arm64: $*" >&2; exit 2; }
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if ! command -v ${CROSS}gcc >/dev/null; then
	echo "cross-arm64: installing gcc-aarch64-linux-gnu (bookworm)"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
[ "${1:-}" != --compiler ] || exit 0

# ---- a private arm64 apt (scripts/apt-private.sh): the mirror this machine uses for bookworm ----
# shellcheck source=scripts/apt-private.sh
. "$top/scripts/apt-private.sh"
private_apt "$cache/apt" arm64 bookworm bookworm-backports || die "no arm64 apt"
apt_arm64() { apt-get -qq "${PRIVATE_APT[@]}" "$@"; }

# --busybox: the arm64 busybox-static (bookworm) for the arm64 guest's initramfs; prints its path
if [ "${1:-}" = --busybox ]; then
	bb=$cache/busybox
	if [ ! -x "$bb/bin/busybox" ]; then
		rm -rf "$bb.tmp"
		mkdir -p "$bb.tmp/deb"
		(cd "$bb.tmp/deb" && apt_arm64 download busybox-static) >&2 ||
			die "cannot download busybox-static for arm64"
		dpkg-deb -x "$bb.tmp"/deb/*.deb "$bb.tmp/root"
		mkdir -p "$bb.tmp/bin"
		cp "$bb.tmp/root/bin/busybox" "$bb.tmp/bin/busybox"
		rm -rf "$bb.tmp/deb" "$bb.tmp/root" "$bb"
		mv "$bb.tmp" "$bb"
	fi
	echo "$bb/bin/busybox"
	exit 0
fi

# ---- the sysroot: the same libraries as the native build (Makefile LDLIBS), arm64 ----
# libbpf from bookworm-backports (1.4, as natively); the rest from bookworm
sysroot=$cache/sysroot
LIBS=(libbpf-dev libbpf1 liburing-dev liburing2 libjson-c-dev libjson-c5
	libelf-dev libelf1 zlib1g-dev zlib1g libzstd-dev libzstd1)
if [ ! -f "$sysroot/.done" ]; then
	debs=$cache/debs
	rm -rf "$debs" "$sysroot"
	mkdir -p "$debs" "$sysroot"
	for p in "${LIBS[@]}"; do
		case $p in
		libbpf*) p=$p/bookworm-backports ;;
		esac
		(cd "$debs" && apt_arm64 download "$p") || die "cannot download $p for arm64"
	done
	for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$sysroot"; done
	touch "$sysroot/.done"
fi

# ---- arm64 vmlinux.h from Debian's arm64 cloud kernel (the one vm/run --arch arm64 boots) ----
mkdir -p "$out/bpf"
if [ ! -s "$out/bpf/vmlinux.h" ]; then
	kdir=$("$top/vm/kernel" --arch arm64 6.12) || die "no arm64 6.12 cloud kernel"
	python3 "$top/scripts/extract-btf.py" "$kdir/vmlinuz" "$out/bpf/vmlinux.btf"
	$BPFTOOL btf dump file "$out/bpf/vmlinux.btf" format c >"$out/bpf/vmlinux.h.tmp"
	mv "$out/bpf/vmlinux.h.tmp" "$out/bpf/vmlinux.h"
	echo "cross-arm64: vmlinux.h from $(cat "$kdir/release")"
fi

# ---- BPF objects and skeletons: the same sources, arm64's pt_regs ----
BPF_CFLAGS=(-g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_arm64 -I"$out/bpf" -I"$top/bpf" -Wall -Werror)
for src in "$top"/bpf/*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	$CLANG "${BPF_CFLAGS[@]}" -c "$src" -o "$out/bpf/$name.tmp.o"
	$BPFTOOL gen object "$out/bpf/$name.bpf.o" "$out/bpf/$name.tmp.o"
	rm -f "$out/bpf/$name.tmp.o"
	$BPFTOOL gen skeleton "$out/bpf/$name.bpf.o" name "${name}_bpf" >"$out/bpf/$name.skel.h"
done

# ---- user space: the library, then ioucmd (cli + reports) and ioucmd-bench on it ----
lib=$sysroot/usr/lib/aarch64-linux-gnu
CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I"$top/include" -I"$out/bpf"
	-I"$top/bpf" -I"$top/lib" -I"$top/reports" -I"$top/cli" -isystem "$sysroot/usr/include"
	-isystem "$sysroot/usr/include/aarch64-linux-gnu")
for dir in lib cli reports bench; do
	mkdir -p "$out/obj/$dir"
	for src in "$top/$dir"/*.c; do
		${CROSS}gcc "${CFLAGS[@]}" -c "$src" -o "$out/obj/$dir/$(basename "$src" .c).o"
	done
done
# some runtime libraries (zlib) still live in /lib, not /usr/lib
link() {
	${CROSS}gcc -o "$out/$1" "${@:2}" -L"$lib" -Wl,-rpath-link,"$lib" \
		-L"$sysroot/lib/aarch64-linux-gnu" -Wl,-rpath-link,"$sysroot/lib/aarch64-linux-gnu" \
		-lbpf -luring -ljson-c -lelf -lz -lm -lpthread
	echo "cross-arm64: $1: $(file -b "$out/$1" | cut -d, -f1-2)"
}
link ioucmd "$out"/obj/cli/*.o "$out"/obj/reports/*.o "$out"/obj/lib/*.o
link ioucmd-bench "$out"/obj/bench/*.o "$out"/obj/cli/args.o "$out"/obj/lib/*.o
for o in "$out"/bpf/*.bpf.o; do
	echo "cross-arm64: $(basename "$o"): $(file -b "$o" | cut -d, -f1-2)"
done
