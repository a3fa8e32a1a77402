#!/bin/bash
# Installs what ioucmd needs on a Debian 12 (bookworm) machine: idempotent, bookworm and
# bookworm-backports only. The backports mirror is derived from the machine's own apt sources,
# so no registry host is ever written into this repository.
set -euo pipefail

PKGS=(
	build-essential make gcc clang llvm pkg-config
	libelf-dev zlib1g-dev libzstd-dev
	liburing-dev libjson-c-dev
	busybox-static cpio xz-utils zstd lz4 kmod
	dwarves
	# the sid tool root that builds the driver for kernels newer than bookworm's gcc (7.x)
	debootstrap
	# arm64: the cross compiler for the driver and ioucmd, and the cross libc the guest runs
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	# tests: the HTML report in a real browser, and its screenshot checked; a second parser of
	# the Prometheus textfile
	chromium python3 python3-prometheus-client
	# man pages: rst2man turns man/*.rst into roff; man-db renders them in the install test
	python3-docutils man-db
	# tests: a real io_uring client whose reads share a block device with uring_cmds
	fio
	# tests: the bench's bpftrace column, stopped as it attaches (tests/host/bench_bpftrace.sh)
	bpftrace
)
# qemu 10 (bookworm's 7.2 crashes TCG guests), libbpf 1.4 and bpftool 7.5 (skeletons, BTF dumps)
BACKPORTS_PKGS=(qemu-system-x86 qemu-system-arm libbpf-dev bpftool)

have_all() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
	done
}

libbpf_ok() {
	local v
	v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true)
	[ -n "$v" ] && dpkg --compare-versions "$v" ge 1:1.4
}

backports_qemu_ok() {
	# bookworm's own qemu 7.2 crashes the guests under TCG: require >= 10
	local v p
	for p in qemu-system-x86 qemu-system-arm; do
		v=$(dpkg-query -W -f='${Version}' $p 2>/dev/null || true)
		[ -n "$v" ] && dpkg --compare-versions "$v" ge 1:10 || return 1
	done
}

# make bench: bpftrace for the comparison column, fio for NVMe passthrough (bookworm; make deps
# installs both too, for the tests)
BENCH_PKGS=(bpftrace fio)
if [ "${1:-}" = --bench ]; then
	have_all "${BENCH_PKGS[@]}" && exit 0
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${BENCH_PKGS[@]}"
	exit 0
fi

# make deb only: Debian's packaging tools (dpkg-buildpackage, debhelper, lintian; dh-dkms and dkms for
# the driver's DKMS package and its build test) (bookworm)
DEB_PKGS=(dpkg-dev debhelper lintian dh-dkms dkms)
if [ "${1:-}" = --deb ]; then
	have_all "${DEB_PKGS[@]}" && exit 0
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${DEB_PKGS[@]}"
	exit 0
fi

if have_all "${PKGS[@]}" "${BACKPORTS_PKGS[@]}" && backports_qemu_ok && libbpf_ok; then
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The first Debian mirror that serves bookworm, as configured on this machine.
# shellcheck source=scripts/apt-private.sh
. "$(dirname "$0")/apt-private.sh"

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	m=$(debian_mirror)
	if [ -z "$m" ]; then
		echo "deps: cannot find a Debian bookworm mirror in /etc/apt/sources*; add bookworm-backports by hand" >&2
		exit 2
	fi
	echo "deps: adding bookworm-backports from $m"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$m" |
		$SUDO tee /etc/apt/sources.list.d/ioucmd-backports.sources >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BACKPORTS_PKGS[@]}"
backports_qemu_ok || { echo "deps: qemu-system-x86 and -arm >= 10 from bookworm-backports are required" >&2; exit 2; }
libbpf_ok || { echo "deps: libbpf-dev >= 1.4 from bookworm-backports is required" >&2; exit 2; }
