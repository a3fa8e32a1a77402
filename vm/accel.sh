# vm/accel.sh — sourced by vm/run: which accelerator boots the guest, proven rather than guessed.
#
# A /dev/kvm that opens is not a KVM that runs guests: under some hypervisors QEMU starts, then
# stops at the first instruction it has to emulate ("KVM internal error", emulation failure) and
# waits, paused, forever. So `auto` boots a throwaway guest (the same kernel, a busybox init that
# prints one line) under KVM once, and uses KVM only if that line comes back within
# ACCEL_PROBE_SECS. The verdict is cached per machine under $ACCEL_CACHE, keyed by the host
# kernel, the KVM device node (its numbers, inode and change time: a new boot or a new device is
# probed again), QEMU's version and the CPU's flags.
#
# accel_choose WANT VMLINUZ   sets ACCEL (kvm|tcg) and ACCEL_WHY (a phrase for the start line);
#                             exits 2 when WANT is kvm and KVM cannot run the guest here.
# accel_forget                drops the cached verdict (KVM failed later in a real run).
# accel_fail_kvm REASON       records that KVM cannot run guests here.

# a working KVM prints its first console line and reaches init within a second or two
ACCEL_PROBE_SECS=${IOUCMD_ACCEL_PROBE_SECS:-30}
# test hook: the node whose presence and identity stand for KVM (tests/host/vm_accel.sh)
ACCEL_KVM_DEVICE=${IOUCMD_KVM_DEVICE:-/dev/kvm}
ACCEL_CACHE=${IOUCMD_ACCEL_CACHE:-$CACHE/accel}
# QEMU's own words when KVM cannot run the guest
ACCEL_KVM_ERRORS='KVM internal error|emulation failure|failed to initialize kvm|Could not access KVM'

accel_key() {
	{
		uname -r
		stat -Lc '%t:%T:%i:%Z' "$ACCEL_KVM_DEVICE" 2>/dev/null
		qemu-system-x86_64 --version 2>/dev/null | head -n1
		grep -m1 '^flags' /proc/cpuinfo
	} | sha256sum | cut -c1-16
}

accel_verdict_file() {
	echo "$ACCEL_CACHE/kvm-$(accel_key)"
}

accel_forget() {
	rm -f "$(accel_verdict_file)"
}

accel_fail_kvm() {
	mkdir -p "$ACCEL_CACHE"
	printf 'tcg %s\n' "$1" >"$(accel_verdict_file)"
}

# accel_probe VMLINUZ: 0 when a guest ran under KVM; otherwise why not, in probe_why
accel_probe() {
	local vmlinuz=$1 d=$work/kvm-probe marker=IOUCMD-KVM-OK-$nonce qpid i
	mkdir -p "$d/root/bin"
	cp /bin/busybox "$d/root/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox echo %s\n/bin/busybox poweroff -f\n' "$marker" \
		>"$d/root/init"
	chmod +x "$d/root/init"
	(cd "$d/root" && find . | cpio -o -H newc --quiet) >"$d/initrd"
	: >"$d/console"
	qemu-system-x86_64 -accel kvm -cpu host -smp 1 -m 256 -nodefaults -display none -no-reboot \
		-monitor none -kernel "$vmlinuz" -initrd "$d/initrd" \
		-append "console=ttyS0 rdinit=/init panic=-1 loglevel=1" \
		-serial "file:$d/console" </dev/null >"$d/qemu.out" 2>&1 &
	qpid=$!
	probe_why=
	for ((i = 0; i < ACCEL_PROBE_SECS * 10; i++)); do
		if grep -qa "$marker" "$d/console"; then
			break
		elif grep -qaE "$ACCEL_KVM_ERRORS" "$d/qemu.out"; then
			probe_why="QEMU: $(grep -aE -m1 "$ACCEL_KVM_ERRORS" "$d/qemu.out" | tr -d '\r')"
			break
		elif ! kill -0 "$qpid" 2>/dev/null; then
			grep -qa "$marker" "$d/console" && break
			probe_why="QEMU exited before the guest's init ran: $(head -c 200 "$d/qemu.out" | tr '\n' ' ')"
			break
		fi
		sleep 0.1
	done
	[ $i -lt $((ACCEL_PROBE_SECS * 10)) ] || probe_why="the guest printed nothing within ${ACCEL_PROBE_SECS}s"
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	[ -z "$probe_why" ]
}

accel_choose() {
	local want=$1 vmlinuz=$2 f verdict
	case "$want" in
	tcg)
		ACCEL=tcg ACCEL_WHY="asked for"
		return
		;;
	kvm | auto) ;;
	*) die "--accel takes auto, kvm or tcg, not '$want'" ;;
	esac
	if [ ! -w "$ACCEL_KVM_DEVICE" ]; then
		[ "$want" = kvm ] && die "--accel kvm: $ACCEL_KVM_DEVICE is missing or not writable;" \
			"use --accel tcg (or IOUCMD_ACCEL=tcg)"
		ACCEL=tcg ACCEL_WHY="no usable $ACCEL_KVM_DEVICE"
		return
	fi
	f=$(accel_verdict_file)
	verdict=$(cat "$f" 2>/dev/null || true)
	if [ -z "$verdict" ]; then
		if accel_probe "$vmlinuz"; then
			verdict=kvm
		else
			verdict="tcg $probe_why"
			echo "vm/run: KVM cannot run a guest on this machine ($probe_why): using TCG;" \
				"the verdict is kept in $f" >&2
		fi
		mkdir -p "$ACCEL_CACHE"
		echo "$verdict" >"$f"
	fi
	if [ "$verdict" = kvm ]; then
		ACCEL=kvm ACCEL_WHY="a guest ran under it here"
		return
	fi
	[ "$want" = kvm ] && die "--accel kvm: KVM cannot run a guest on this machine" \
		"(${verdict#tcg }); use --accel auto or tcg (IOUCMD_ACCEL=tcg), or delete $f to probe again"
	ACCEL=tcg ACCEL_WHY="KVM cannot run a guest here: ${verdict#tcg }"
}
