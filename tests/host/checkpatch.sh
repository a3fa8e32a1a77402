#!/bin/bash
# The reference driver passes the kernel's checkpatch.pl --strict: one KTAP test point per file
# (kselftest exit codes: 0 pass, 1 fail).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=("$top"/driver/*.c "$top"/driver/*.h "$top"/include/ioucmd/ioucmd_ref.h)
# fetch the tool once, outside the per-file loop
"$top"/scripts/checkpatch.sh "${files[0]}" >/dev/null 2>&1 || true
echo "TAP version 13"
echo "1..${#files[@]}"
n=0 failed=0
for f in "${files[@]}"; do
	n=$((n + 1))
	out=$("$top"/scripts/checkpatch.sh "$f" 2>&1)
	if [ $? -eq 0 ]; then
		echo "ok $n - checkpatch --strict ${f#"$top"/}"
	else
		echo "not ok $n - checkpatch --strict ${f#"$top"/}"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
done
exit $failed
