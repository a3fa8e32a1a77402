#!/bin/bash
# The reference driver's DKMS package (make deb): `dkms build` from the package's own
# /usr/src/ioucmd-ref-VERSION (unpacked from the .deb, with its dkms.conf) against each Debian
# kernel's headers the guests boot, in a throwaway DKMS tree (nothing is added to this machine's
# DKMS): the module must come out, built for that kernel.
# KTAP; exit 0 pass, 1 fail (kselftest).
# Usage: dkms.sh IOUCMD-REF-DKMS.deb KERNEL...   (KERNEL as vm/kernel takes it: 6.12, 6.1)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
deb=${1:?usage: dkms.sh IOUCMD-REF-DKMS.deb KERNEL...}
shift
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
echo "1..$((1 + $#))"
dpkg -x "$deb" "$work/pkg"
src=$(find "$work/pkg/usr/src" -mindepth 1 -maxdepth 1 -type d -name 'ioucmd-ref-*' | head -1)
version=${src##*/ioucmd-ref-}
if [ -n "$src" ] && [ -f "$src/dkms.conf" ] && grep -q "^PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"; then
	ok "$(basename "$deb") ships /usr/src/ioucmd-ref-$version with its dkms.conf (PACKAGE_VERSION $version)"
else
	not_ok "$(basename "$deb"): no /usr/src/ioucmd-ref-VERSION/dkms.conf naming its version"
fi
for k in "$@"; do
	kdir=$("$top/vm/kernel" "$k") || { not_ok "kernel $k: vm/kernel failed"; continue; }
	release=$(cat "$kdir/release")
	tree=$work/dkms-$k
	mkdir -p "$tree"
	if ! dkms build -m ioucmd-ref -v "$version" -k "$release" --kernelsourcedir "$kdir/build" \
		--dkmstree "$tree" --sourcetree "$work/pkg/usr/src" >"$work/log" 2>&1; then
		not_ok "dkms build ioucmd-ref/$version for $release"
		sed 's/^/# /' "$work/log" | tail -15
		find "$tree" -name make.log -exec tail -20 {} \; | sed 's/^/# /'
		continue
	fi
	ko=$(find "$tree/ioucmd-ref/$version/$release" -name 'ioucmd_ref.ko*' | head -1)
	vermagic=$( [ -n "$ko" ] && modinfo -F vermagic "$ko")
	if [ -n "$ko" ] && [ "${vermagic%% *}" = "$release" ]; then
		ok "dkms build ioucmd-ref/$version for $release: ${ko##*/}, vermagic $release"
	else
		not_ok "dkms build ioucmd-ref/$version for $release: module '${ko:-none}', vermagic '${vermagic:-none}'"
	fi
done
exit $((failed > 0))
