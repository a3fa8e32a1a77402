#!/bin/bash
# Installs what ioucmd needs on a Debian 12 (bookworm) machine: idempotent, bookworm and
# bookworm-backports only. The backports mirror is derived from the machine's own apt sources,
# so no registry host is ever written into this repository.
set -euo pipefail

PKGS=(
	build-essential make gcc clang llvm pkg-config
	libelf-dev zlib1g-dev libzstd-dev
	liburing-dev libinih-dev libjson-c-dev
	busybox-static cpio xz-utils zstd lz4 kmod
	dwarves
	# tests: the HTML report in a real browser, and its screenshot checked
	chromium python3
)
# qemu 10 (bookworm's 7.2 crashes TCG guests), libbpf 1.4 and bpftool 7.5 (skeletons, BTF dumps)
BACKPORTS_PKGS=(qemu-system-x86 libbpf-dev bpftool)

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
	local v
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
	[ -n "$v" ] && dpkg --compare-versions "$v" ge 1:10
}

# make bench only: bpftrace for the comparison column, fio for NVMe passthrough (bookworm)
BENCH_PKGS=(bpftrace fio)
if [ "${1:-}" = --bench ]; then
	have_all "${BENCH_PKGS[@]}" && exit 0
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${BENCH_PKGS[@]}"
	exit 0
fi

if have_all "${PKGS[@]}" "${BACKPORTS_PKGS[@]}" && backports_qemu_ok && libbpf_ok; then
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The first Debian mirror that serves bookworm, as configured on this machine.
mirror() {
	local f
	set +o pipefail
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && /URIs:/ {
			for (i = 1; i <= NF; i++) if ($i == "URIs:") { print $(i+1); exit } }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -E '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +bookworm( |$)' | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }'
}

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	m=$(mirror | head -n1 || true)
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
backports_qemu_ok || { echo "deps: qemu-system-x86 >= 10 from bookworm-backports is required" >&2; exit 2; }
libbpf_ok || { echo "deps: libbpf-dev >= 1.4 from bookworm-backports is required" >&2; exit 2; }
