#!/bin/bash
# cross-arm64.sh — the BPF objects and the ioucmd loader built for arm64 on this x86 machine,
# into build/arm64/. Running them is not attempted (no arm64 guest here).
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

# ---- a private arm64 apt: the mirror is the one this machine already uses for bookworm ----
apt_dir=$cache/apt
if [ ! -f "$apt_dir/.updated" ] || [ -n "$(find "$apt_dir/.updated" -mmin +720 2>/dev/null)" ]; then
	m=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && /URIs:/ {
		for (i = 1; i <= NF; i++) if ($i == "URIs:") { print $(i+1); exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$m" ] || die "no Debian bookworm mirror in /etc/apt/sources.list.d/*.sources"
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
	{
		echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m bookworm main"
		echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m bookworm-backports main"
	} >"$apt_dir/sources.list"
	apt-get -qq -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o Dir::State="$apt_dir" -o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir" -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null update
	touch "$apt_dir/.updated"
fi
apt_arm64() {
	apt-get -qq -o APT::Sandbox::User=root -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o Dir::State="$apt_dir" -o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir" -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null "$@"
}
cache_arm64() {
	apt-cache -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o Dir::State="$apt_dir" -o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir" -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null "$@"
}

# ---- the sysroot: the same libraries as the native build (Makefile LDLIBS), arm64 ----
# libbpf from bookworm-backports (1.4, as natively); the rest from bookworm
sysroot=$cache/sysroot
LIBS=(libbpf-dev libbpf1 liburing-dev liburing2 libinih-dev libinih1 libjson-c-dev libjson-c5
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

# ---- arm64 vmlinux.h from Debian's arm64 cloud kernel ----
mkdir -p "$out/bpf" "$out/loader"
if [ ! -s "$out/bpf/vmlinux.h" ]; then
	img=$(cache_arm64 search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-cloud-arm64$' |
		awk '{print $1}' | sort -V | tail -n1)
	[ -n "$img" ] || die "no arm64 6.12 cloud kernel in bookworm-backports"
	kdir=$cache/kernel
	rm -rf "$kdir"
	mkdir -p "$kdir"
	(cd "$kdir" && apt_arm64 download "$img") || die "cannot download $img"
	dpkg-deb -x "$kdir"/*.deb "$kdir/root"
	vmlinuz=$(ls "$kdir"/root/boot/vmlinuz-* | head -n1)
	python3 "$top/scripts/extract-btf.py" "$vmlinuz" "$kdir/vmlinux.btf"
	$BPFTOOL btf dump file "$kdir/vmlinux.btf" format c >"$out/bpf/vmlinux.h.tmp"
	mv "$out/bpf/vmlinux.h.tmp" "$out/bpf/vmlinux.h"
	echo "cross-arm64: vmlinux.h from $img"
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

# ---- the loader ----
lib=$sysroot/usr/lib/aarch64-linux-gnu
CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I"$top/include" -I"$out/bpf"
	-I"$top/bpf" -I"$top/loader" -isystem "$sysroot/usr/include"
	-isystem "$sysroot/usr/include/aarch64-linux-gnu")
for src in "$top"/loader/*.c; do
	${CROSS}gcc "${CFLAGS[@]}" -c "$src" -o "$out/loader/$(basename "$src" .c).o"
done
# some runtime libraries (zlib) still live in /lib, not /usr/lib
${CROSS}gcc -o "$out/ioucmd" "$out"/loader/*.o -L"$lib" -Wl,-rpath-link,"$lib" \
	-L"$sysroot/lib/aarch64-linux-gnu" -Wl,-rpath-link,"$sysroot/lib/aarch64-linux-gnu" \
	-lbpf -luring -linih -ljson-c -lelf -lz -lm -lpthread
echo "cross-arm64: $(file -b "$out/ioucmd" | cut -d, -f1-2)"
for o in "$out"/bpf/*.bpf.o; do
	echo "cross-arm64: $(basename "$o"): $(file -b "$o" | cut -d, -f1-2)"
done
