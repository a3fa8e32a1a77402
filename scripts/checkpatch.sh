#!/bin/bash
# scripts/checkpatch.sh [FILE...] — the kernel's checkpatch.pl --strict over the reference
# driver (driver/*.c, driver/*.h and the UAPI header by default). checkpatch.pl comes from
# Debian's linux-source-6.12 package (bookworm-backports), downloaded once and cached in
# .cache/checkpatch; only the three files it needs are kept. Exit status: checkpatch's (0 when no
# errors; warnings are printed, each is explained in the driver or fixed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache/checkpatch
tool=$cache/scripts/checkpatch.pl
if [ ! -x "$tool" ]; then
	mkdir -p "$cache/dl"
	pkg=linux-source-6.12
	echo "checkpatch: fetching checkpatch.pl from Debian's $pkg (once)" >&2
	(cd "$cache/dl" && apt-get download "$pkg" >/dev/null) || {
		echo "checkpatch: cannot download $pkg: run 'make deps' (it adds bookworm-backports)" >&2
		exit 2
	}
	deb=$(ls "$cache"/dl/"$pkg"_*.deb | head -1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/dl" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$cache"/dl/usr/src/linux-source-*.tar.xz | head -1)
	tar -xJf "$tarball" -C "$cache" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	rm -rf "$cache/dl"
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$top"/driver/*.c "$top"/driver/*.h "$top"/include/ioucmd/ioucmd_ref.h)
# --no-tree: an out-of-tree module; --file: whole files, not a patch
exec perl "$tool" --no-tree --strict --file --terse --show-types \
	"${files[@]}"
