#!/bin/bash
# The Debian package (make deb): installed with dpkg into a throwaway root that holds nothing
# else (no libc, no loader), its ioucmd runs there under chroot: --help, and a shipped scenario
# found by name in /usr/share/ioucmd/scenarios; its man pages are where man looks; the
# textfile exporter's unit is there, off, and its command line, with the options file's
# values, traces on this machine and writes the textfile.
# KTAP; exit 0 pass, 1 fail (kselftest).
# Usage: deb.sh IOUCMD.deb
set -uo pipefail
deb=${1:?usage: deb.sh IOUCMD.deb}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
work=$(mktemp -d)
root=$work/root
trap 'if mountpoint -q "$root/proc"; then umount "$root/proc" || exit 1; fi; rm -rf --one-file-system "$work"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"

echo "TAP version 13"
echo "1..7"
if dpkg --root="$root" --log=/dev/null --force-script-chrootless -i "$deb" >"$work/log" 2>&1; then
	ok "dpkg --root installs $(basename "$deb") into an empty root"
else
	not_ok "dpkg --root -i $(basename "$deb")"
	sed 's/^/# /' "$work/log" | tail -20
fi
if [ "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' ioucmd 2>/dev/null)" = "install ok installed" ]; then
	ok "dpkg records ioucmd as installed in the throwaway root"
else
	not_ok "ioucmd is not 'install ok installed' in the throwaway root's dpkg database"
fi
# nothing but the package is in the root: a dynamic binary could not start here
if chroot "$root" /usr/bin/ioucmd --help >"$work/help" 2>&1 && grep -q '^usage: ioucmd SUBCOMMAND' "$work/help"; then
	ok "chroot ROOT /usr/bin/ioucmd --help: runs with no library in the root"
else
	not_ok "chroot ROOT /usr/bin/ioucmd --help"
	sed 's/^/# /' "$work/help" | head -10
fi
# files are all read before anything runs: "1 of 2 invalid" means null was found by name;
# ioucmd finds its scenarios from /proc/self/exe, as it finds everything else in /proc
mkdir -p "$root/proc" && mount -t proc proc "$root/proc"
chroot "$root" /usr/bin/ioucmd run null no-such-scenario >"$work/out" 2>&1
if grep -q '1 of 2 scenario files are invalid' "$work/out"; then
	ok "chroot ROOT ioucmd run null: /usr/share/ioucmd/scenarios/null.ini found by name"
else
	not_ok "chroot ROOT ioucmd run null: the shipped scenario is not found by name"
	sed 's/^/# /' "$work/out" | head -10
fi
missing=
for p in man8/ioucmd.8 man8/ioucmd-list.8 man8/ioucmd-trace.8 man8/ioucmd-submit.8 man8/ioucmd-run.8 \
	man8/ioucmd-report.8 man5/ioucmd-scenario.5; do
	[ -f "$root/usr/share/man/$p.gz" ] || missing+=" $p"
done
if [ -z "$missing" ]; then
	ok "the man pages are in /usr/share/man, compressed"
else
	not_ok "man pages missing from the package:$missing"
fi
unit=$root/lib/systemd/system/ioucmd-prom.service
defaults=$root/etc/default/ioucmd-prom
if [ -f "$unit" ] && [ -f "$defaults" ] && grep -qx /etc/default/ioucmd-prom "$root/var/lib/dpkg/info/ioucmd.conffiles" &&
	[ -z "$(find "$root/etc/systemd" -name ioucmd-prom.service 2>/dev/null)" ]; then
	ok "ioucmd-prom.service and its options file (a conffile) are installed, the service not enabled"
else
	not_ok "ioucmd-prom.service: unit, /etc/default/ioucmd-prom as a conffile, or not enabled"
	find "$root/etc/systemd" "$root/lib/systemd" 2>/dev/null | sed 's/^/# /'
fi
# the unit's ExecStart as systemd would expand it, run for 2 s with the textfile moved here
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" 2>/dev/null)
here_bin=$root/usr/bin/ioucmd
(
	set -a
	# shellcheck disable=SC1090
	. "$defaults"
	IOUCMD_PROM_FILE=$work/exporter/ioucmd.prom
	mkdir -p "$work/exporter"
	cmdline=$(eval "echo $exec_start")
	cmdline=${cmdline/#\/usr\/bin\/ioucmd/$here_bin}
	echo "# $cmdline --duration 2"
	# shellcheck disable=SC2086
	$cmdline --duration 2 >"$work/unit.out" 2>&1
) >"$work/unit.cmd"
if [ -s "$work/exporter/ioucmd.prom" ] && grep -q '^# TYPE ioucmd_latency_seconds histogram' "$work/exporter/ioucmd.prom"; then
	ok "the unit's command line, with /etc/default/ioucmd-prom's values, traces and writes the textfile"
else
	not_ok "the unit's command line did not write the textfile"
	cat "$work/unit.cmd" "$work/unit.out" 2>/dev/null | sed 's/^/# /' | head -10
fi
exit $((failed > 0))
