#!/bin/bash
# toolroot.sh — a cached Debian sid tool root holding the gcc a kernel was built with, for the
# kernels whose compiler is newer than bookworm's (sid's 7.x: gcc 16). Out-of-tree modules must
# be built with the compiler (major version) the kernel was built with: kbuild refuses plugins
# and flags of another gcc, and the kernel's own kbuild programs (modpost, objtool,
# resolve_btfids) are sid binaries that need sid's glibc.
#
#   toolroot.sh dir GCC_MAJOR                 create it if needed, print its directory
#   toolroot.sh run GCC_MAJOR DIR... -- CMD   run CMD inside it, with each DIR visible at its
#                                             own path (bind mounts in a private mount namespace)
#
# The root is `debootstrap --variant=minbase sid` plus gcc-N, make, libc6-dev, pahole and the
# libraries the kernel's kbuild programs link against, in .cache/toolroot/sid-gcc-N. The host
# installs nothing from sid: debootstrap unpacks into the cache directory, and the build runs
# chrooted there, because the tool root's gcc, as and ld are linked against sid's glibc, which
# the host's (bookworm's) dynamic loader cannot run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/apt-private.sh
. "$top/scripts/apt-private.sh"
die() { echo "toolroot: $*" >&2; exit 2; }

verb=${1:-}
major=${2:-}
[[ "$major" =~ ^[0-9]+$ ]] || die "usage: toolroot.sh dir|run GCC_MAJOR [DIR... -- CMD]"
mkdir -p "$top/.cache/toolroot"
root=$(cd "$top/.cache/toolroot" && pwd -P)/sid-gcc-$major

# what kbuild needs for an external module of a Debian kernel: its compiler and binutils, make,
# libc headers (host programs), pahole (module BTF), and the runtime of the kbuild binaries
# (libelf: objtool, resolve_btfids; zlib; libcrypto: sign-file)
PKGS=(gcc-$major make libc6-dev pahole libelf1t64 zlib1g libssl3t64)

create() {
	local m tmp=$root.tmp
	command -v debootstrap >/dev/null || die "debootstrap is missing: run 'make deps'"
	m=$(debian_mirror)
	[ -n "$m" ] || die "no Debian mirror in /etc/apt/sources*"
	rm -rf "$tmp"
	echo "toolroot: debootstrap sid (minbase) with ${PKGS[*]} into $root (once, a few minutes)" >&2
	# debootstrap's own log says what failed; keep it beside the root
	if ! debootstrap --variant=minbase --include="$(IFS=,; echo "${PKGS[*]}")" sid "$tmp" "$m" \
		>"$root.log" 2>&1; then
		tail -n 20 "$root.log" >&2
		die "debootstrap failed; the whole log is $root.log"
	fi
	chroot "$tmp" "x86_64-linux-gnu-gcc-$major" --version >/dev/null ||
		die "gcc-$major does not run in the new root"
	rm -rf "$tmp/var/cache/apt/archives"/*.deb
	mv "$tmp" "$root"
	touch "$root/.ready"
}

case "$verb" in
dir)
	[ -f "$root/.ready" ] || create
	echo "$root"
	;;
run)
	shift 2
	dirs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		dirs+=("$(cd "$1" && pwd -P)")
		shift
	done
	[ "${1:-}" = -- ] && [ $# -gt 1 ] || die "run: no command after --"
	shift
	[ -f "$root/.ready" ] || create
	# a private mount namespace: the binds vanish with the command, nothing leaks to the host
	exec unshare --mount --propagation private -- bash -c '
		set -e
		root=$1; shift
		mount --bind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		while [ "$1" != -- ]; do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift
		done
		shift
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
	' toolroot "$root" "${dirs[@]}" -- "$@"
	;;
*) die "usage: toolroot.sh dir|run GCC_MAJOR [DIR... -- CMD]" ;;
esac
