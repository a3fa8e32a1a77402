# ioucmd — see README.md. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
KERNEL ?= 6.12
# kernels `make test` runs the guest tests on
TEST_KERNELS ?= 6.12 6.1 sid
# every fault in its own boot (several wreck the kernel)
FAULT_KERNELS ?= 6.12 6.1 sid
# kernels whose faults `make test` reports as a KTAP skip with this reason (`tests/faults.sh
# sid` runs them)
FAULT_SKIP_sid := the fault scenarios pin fentry, whose programs sid's 7.x (PREEMPT_LAZY) can \
	preempt (a pinned fentry trace hung a 7.2 guest), and kprobe misses a done() from a timer \
	interrupt that lands in another kprobe program
# the fuzzer (`make fuzz` runs every one of them)
FUZZ_KERNELS ?= 6.12 6.1 sid
# kernels whose fuzz run `make test` reports as a KTAP skip with this reason, until the tracer
# gets it right: `make fuzz FUZZ_KERNELS=sid` shows them
FUZZ_SKIP_sid := the kprobe backend 7.x needs (PREEMPT_LAZY) loses 0 to 2 events per 60 s run \
	(counted as untracked, never reported: 0 violations in 6 runs), and the run expects 0

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(TOP)/include -I$(BUILD)/bpf -I$(TOP)/bpf \
	-I$(TOP)/lib -I$(TOP)/reports -I$(TOP)/cli
LDLIBS := -lbpf -luring -ljson-c -lelf -lz -lm -lpthread

.SECONDARY:
.PHONY: all deps demo test test-host test-guest driver driver-all bpf loader bench-program clean help bench \
	matrix fuzz checkpatch cross-arm64 \
	man install uninstall FORCE static test-static deb test-deb
all: loader driver

help:
	@echo "make demo   — install deps, build, boot a guest, run the scenarios under the tracer"
	@echo "make test   — install deps, run host unit tests and guest tests"
	@echo "make deps   — install Debian packages (bookworm + bookworm-backports)"

deps:
	@bash $(TOP)/scripts/deps.sh

# ---- driver: built against each Debian kernel's headers, out of the source tree -----------
# build/driver/<uname -r>/ioucmd_ref.ko, which vm/run puts at /lib/modules/ioucmd/ in the guest
driver: deps
	@bash $(TOP)/scripts/build-driver.sh $(KERNEL)

# each with the compiler its kernel was built with (sid's 7.x: gcc 16 in a sid tool root)
driver-all: deps
	@for k in $(TEST_KERNELS); do bash $(TOP)/scripts/build-driver.sh $$k || exit 1; done

clean:
	rm -rf $(BUILD)

# ---- BPF: vmlinux.h from BTF at build time (never committed), CO-RE object, skeleton -------
VMLINUX_BTF ?= $(firstword $(wildcard /sys/kernel/btf/vmlinux) $(BUILD)/vmlinux-btf)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -I$(TOP)/bpf -Wall -Werror

$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(@D)
	@if [ -e /sys/kernel/btf/vmlinux ]; then btf=/sys/kernel/btf/vmlinux; \
	else btf=$$($(TOP)/vm/kernel $(KERNEL))/build/vmlinux; fi; \
	$(BPFTOOL) btf dump file $$btf format c > $@.tmp && mv $@.tmp $@

BPF_HDRS := $(wildcard bpf/*.h)
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/bpf/vmlinux.h
	@echo "  BPF     $<"
	@$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	@$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

# skeleton names: ioucmd_bpf (fentry/kprobe backend), ioucmd_tp_bpf (tracepoint backend)
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@

SKELS := $(BUILD)/bpf/ioucmd.skel.h $(BUILD)/bpf/ioucmd_tp.skel.h $(BUILD)/bpf/floor.skel.h
bpf: $(SKELS)

# ---- user space: the library, the ioucmd command on it, its renderers, the bench ---------------
# lib/ (no main) -> build/libioucmd.a; cli/ + reports/ + the library -> build/ioucmd;
# bench/ + cli/'s argument helpers + the library -> build/ioucmd-bench (built by `make bench`,
# not shipped in ioucmd)
LIB_SRCS := $(wildcard lib/*.c)
CLI_SRCS := $(wildcard cli/*.c)
RENDER_SRCS := $(wildcard reports/*.c)
BENCH_SRCS := $(wildcard bench/*.c)
USER_HDRS := $(wildcard lib/*.h cli/*.h reports/*.h bench/*.h) bpf/ioucmd.h bpf/cmd_state.h \
	include/ioucmd/ioucmd_ref.h
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

$(call obj,$(LIB_SRCS) $(CLI_SRCS) $(RENDER_SRCS) $(BENCH_SRCS)): $(USER_HDRS) $(SKELS)
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libioucmd.a: $(call obj,$(LIB_SRCS))
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/ioucmd: $(call obj,$(CLI_SRCS) $(RENDER_SRCS)) $(BUILD)/libioucmd.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ioucmd-bench: $(call obj,$(BENCH_SRCS) cli/args.c) $(BUILD)/libioucmd.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# `make loader`: the ioucmd command (the name is older than the lib/ cli/ split)
loader: $(BUILD)/ioucmd
bench-program: $(BUILD)/ioucmd-bench

# ---- static: one statically linked ioucmd (Debian's .a libraries), for machines without ----------
# libbpf 1.4 or any of the others; the CO-RE objects are embedded in it as in build/ioucmd.
# `make test-static` runs it in a guest whose shared libraries are moved away.
$(BUILD)/static/ioucmd: $(call obj,$(CLI_SRCS) $(RENDER_SRCS)) $(BUILD)/libioucmd.a
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	@$(CC) $(CFLAGS) -static -o $@ $^ $(LDLIBS)
	@file -b $@ | grep -q 'statically linked' || { echo "$@ is not statically linked: $$(file -b $@)"; rm -f $@; exit 1; }
static: $(BUILD)/static/ioucmd
	@strip -o $<.stripped $< && echo "$<: $$(stat -c %s $<) bytes, $$(stat -c %s $<.stripped) stripped;" \
		"$$(file -b $< | cut -d, -f1-4)"; rm -f $<.stripped

test-static: deps static driver
	@mkdir -p $(BUILD); IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh guest-static-$(KERNEL) \
		vm/run --kernel $(KERNEL) --timeout 600 --add $(BUILD)/static/ioucmd:/opt/ioucmd/bin/ioucmd \
		--add $(TOP)/scenarios:/opt/ioucmd/share/ioucmd/scenarios -- \
		sh /tests/guest/static.sh /opt/ioucmd/bin/ioucmd

# ---- deb: the Debian package (debian/), built by dpkg-buildpackage from a copy of the tracked ------
# files (the results land beside the copy, in build/deb/, not in the checkout's parent), then lintian
DEB_OUT := $(BUILD)/deb
deb: deps
	@bash $(TOP)/scripts/deps.sh --deb
	@rm -rf $(DEB_OUT); mkdir -p $(DEB_OUT)/src
	@git ls-files -z | tar -c --null -T - | tar -x -C $(DEB_OUT)/src
	@cd $(DEB_OUT)/src && dpkg-buildpackage -us -uc -b
	@echo "== lintian"; lintian --fail-on error --info --display-info --pedantic $(DEB_OUT)/*.changes && echo "lintian: no errors"
	@ls -l $(DEB_OUT)/*.deb
# the package installed by dpkg into an empty root, its ioucmd run there under chroot; the DKMS
# package's module built by `dkms build` for the guests' kernels (sid's needs a newer gcc)
DKMS_KERNELS ?= 6.12 6.1
test-deb: deb
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/deb tests/host/deb.sh $(DEB_OUT)/ioucmd_*_amd64.deb
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/dkms tests/host/dkms.sh \
		$(DEB_OUT)/ioucmd-ref-dkms_*_all.deb $(DKMS_KERNELS)

# ---- install: the GNU directory variables (`make install DESTDIR=/tmp/root PREFIX=/usr`) ------
# The files installed are listed in README.md ("Install"); tests/host/install.sh checks both ways.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
INSTALL ?= install
RST2MAN ?= rst2man
MAN_PAGES := $(patsubst man/%.rst,$(BUILD)/man/%,$(wildcard man/*.rst))
SHIPPED_SCENARIOS = $(shell find scenarios -type f | sort)

# `ioucmd run NAME` looks for shipped scenarios relative to its own binary: DATADIR from BINDIR
SCENARIO_DIR_REL := $(shell realpath -m --relative-to=$(BINDIR) $(DATADIR)/ioucmd/scenarios)
$(BUILD)/cli/run.o: CFLAGS += -DSCENARIO_DIR_REL='"$(SCENARIO_DIR_REL)"'
$(BUILD)/cli/run.o: $(BUILD)/scenario-dir-rel
$(BUILD)/scenario-dir-rel: FORCE
	@mkdir -p $(@D); echo '$(SCENARIO_DIR_REL)' | cmp -s - $@ || echo '$(SCENARIO_DIR_REL)' > $@
FORCE:

# man pages: written once in reStructuredText (man/), turned into roff by docutils' rst2man
$(BUILD)/man/%: man/%.rst
	@mkdir -p $(@D)
	@echo "  RST2MAN $<"
	@$(RST2MAN) --strict $< > $@.tmp && mv $@.tmp $@
man: $(MAN_PAGES)

# INSTALL_BIN=build/static/ioucmd installs the static binary instead (the Debian package does)
INSTALL_BIN ?= $(BUILD)/ioucmd
install: $(abspath $(INSTALL_BIN)) man
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/ioucmd
	$(INSTALL) -m 755 $(abspath $(INSTALL_BIN)) $(DESTDIR)$(BINDIR)/ioucmd
	$(INSTALL) -m 644 reports/SCHEMA.md $(DESTDIR)$(DATADIR)/ioucmd/SCHEMA.md
	@for f in $(SHIPPED_SCENARIOS); do \
		echo "$(INSTALL) -D -m 644 $$f $(DESTDIR)$(DATADIR)/ioucmd/$$f"; \
		$(INSTALL) -D -m 644 $$f $(DESTDIR)$(DATADIR)/ioucmd/$$f || exit 1; \
	done
	@for p in $(MAN_PAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${p##*.}; \
		echo "$(INSTALL) -D -m 644 $$p $$d/$${p##*/}"; \
		$(INSTALL) -D -m 644 $$p $$d/$${p##*/} || exit 1; \
	done

# everything install put there, and DATADIR/ioucmd as a whole (nothing else lives in it)
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ioucmd
	rm -rf $(DESTDIR)$(DATADIR)/ioucmd
	@for p in $(MAN_PAGES); do \
		echo "rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$${p##*/}"; \
		rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$${p##*/}; \
	done

# ---- arm64: the BPF objects, ioucmd and ioucmd-bench cross-built into build/arm64/ (not run) ---
cross-arm64: deps
	@bash $(TOP)/scripts/cross-arm64.sh

# ---- tests ----------------------------------------------------------------------------------
# Host tests run here (ASan/UBSan); guest tests boot each kernel of TEST_KERNELS in vm/run.
# Every suite speaks KTAP; tests/summary.sh prints the closing "N passed, N failed" line.
SAN_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -I$(TOP)/include -I$(TOP)/bpf \
	-I$(TOP)/lib -I$(TOP)/reports -I$(TOP)/cli
RESULTS := $(BUILD)/test-results.txt

$(BUILD)/tests/host/test_cmd_state: tests/host/test_cmd_state.c tests/host/ktap.h bpf/cmd_state.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SAN_CFLAGS) -o $@ $<

$(BUILD)/tests/host/test_scribble: tests/host/test_scribble.c tests/host/ktap.h lib/scribble.c lib/scribble.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SAN_CFLAGS) -o $@ tests/host/test_scribble.c lib/scribble.c -luring -lpthread

# the expectation table and what it needs (the same sources as the scenario test's)
FIELDS_SRCS := tests/host/test_report_fields.c lib/expect.c lib/names.c lib/parse.c
$(BUILD)/tests/host/test_report_fields: $(FIELDS_SRCS) tests/host/ktap.h $(wildcard lib/*.h) bpf/cmd_state.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SAN_CFLAGS) -o $@ $(FIELDS_SRCS) -ljson-c

# ioucmd and ioucmd-bench again with ASan/UBSan, for the tests that feed them bad command lines
ASAN_LOADER := $(BUILD)/asan/ioucmd
ASAN_BENCH := $(BUILD)/asan/ioucmd-bench
$(ASAN_LOADER): $(LIB_SRCS) $(CLI_SRCS) $(RENDER_SRCS) $(USER_HDRS) $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(SAN_CFLAGS) -I$(BUILD)/bpf -o $@ $(LIB_SRCS) $(CLI_SRCS) $(RENDER_SRCS) $(LDLIBS)
$(ASAN_BENCH): $(LIB_SRCS) $(BENCH_SRCS) cli/args.c $(USER_HDRS) $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(SAN_CFLAGS) -I$(BUILD)/bpf -o $@ $(LIB_SRCS) $(BENCH_SRCS) cli/args.c $(LDLIBS)

include tests/host/host.mk
HOST_TESTS := $(BUILD)/tests/host/test_cmd_state $(BUILD)/tests/host/test_scribble \
	$(HOST_SCENARIO_TEST)

test-host: deps $(HOST_TESTS) loader $(ASAN_LOADER) $(ASAN_BENCH) $(BUILD)/tests/host/test_report_fields
	@for t in $(HOST_TESTS); do IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/$$(basename $$t) $$t; done
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/cli_errors tests/host/cli_errors.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/vm_accel tests/host/vm_accel.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/cross_arm64 tests/host/cross_arm64.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/tp_backend tests/host/tp_backend.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/bench_watchdog tests/host/bench_watchdog.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/bench_bpftrace tests/host/bench_bpftrace.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/report_fields tests/host/report_fields.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/html_report tests/host/html_report.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/checkpatch tests/host/checkpatch.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/install tests/host/install.sh
	@$(MAKE) --no-print-directory test-deb
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/scenarios \
		$(BUILD)/ioucmd run scenarios/null.ini scenarios/socket.ini

# one guest boot per kernel runs every guest suite (tests/guest/all.sh); what it leaves in /out
# (an --events trace, a report) is checked on the host afterwards
GUEST_OUT := $(BUILD)/tests/guest-out
# fio (make deps installs it), a real io_uring client for tests/guest/mixed.sh, with its libraries
FIO = $(shell command -v fio || echo /usr/bin/fio)
test-guest: deps loader driver-all $(BUILD)/tests/host/test_report_fields
	@for k in $(TEST_KERNELS); do \
		rm -rf $(GUEST_OUT)/$$k; \
		IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh guest-$$k \
			vm/run --kernel $$k --nvme --kmod-optional ublk_drv --timeout 1200 \
				--add $(FIO):/usr/bin/fio --out $(GUEST_OUT)/$$k -- sh /tests/guest/all.sh; \
	done
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh guest_reports tests/host/guest_reports.sh \
		$(addprefix $(GUEST_OUT)/,$(TEST_KERNELS))
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh faults tests/faults.sh \
		$(foreach k,$(FAULT_KERNELS),$(if $(FAULT_SKIP_$(k)),,$(k)))
	@$(foreach k,$(FAULT_KERNELS),$(if $(FAULT_SKIP_$(k)),IOUCMD_RESULTS=$(RESULTS) \
		tests/run-suite.sh faults-$(k) printf 'TAP version 13\n1..1\nok 1 - faults on $(k) # SKIP %s\n' \
			"$(FAULT_SKIP_$(k))" &&)) true
	@$(MAKE) --no-print-directory test-static
	@IOUCMD_RESULTS=$(RESULTS) IOUCMD_VIOLATION_REPORTS=$(BUILD)/tests/faults \
		tests/run-suite.sh html_violation tests/host/html_report.sh
	@$(foreach k,$(FUZZ_KERNELS),$(if $(FUZZ_SKIP_$(k)),\
		IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh fuzz-$(k) \
			printf 'TAP version 13\n1..1\nok 1 - fuzz on $(k) # SKIP %s\n' "$(FUZZ_SKIP_$(k))",\
		IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh fuzz-$(k) \
			vm/run --kernel $(k) --timeout 600 --append "$(FUZZ_APPEND)" -- sh /tests/guest/fuzz.sh) &&) true

# 60 s of random commands at the driver per kernel, under the tracer; dmesg must stay clean.
# The slab checkers Debian's kernels carry but leave off, turned on for the fuzz (fuzz.sh checks)
FUZZ_APPEND := slub_debug=FZPU kfence.sample_interval=10
fuzz: deps loader driver-all
	@rm -f $(BUILD)/fuzz-results.txt
	@for k in $(FUZZ_KERNELS); do \
		IOUCMD_RESULTS=$(BUILD)/fuzz-results.txt tests/run-suite.sh fuzz-$$k \
			vm/run --kernel $$k --timeout 600 --append "$(FUZZ_APPEND)" -- sh /tests/guest/fuzz.sh; \
	done
	@tests/summary.sh $(BUILD)/fuzz-results.txt

# the kernel's checkpatch.pl --strict over the driver (fetched from Debian's linux-source)
checkpatch:
	@scripts/checkpatch.sh

test:
	@mkdir -p $(BUILD); rm -f $(RESULTS)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-host test-guest || echo "make-targets 0 1 0" >> $(RESULTS); \
	echo "# make test took $$(( $$(date +%s) - start )) s"
	@tests/summary.sh $(RESULTS)

# ---- the main job ---------------------------------------------------------------------------
DEMO_OUT := $(BUILD)/demo
demo: deps loader driver
	@rm -rf $(DEMO_OUT); mkdir -p $(DEMO_OUT)
	@vm/run --kernel $(KERNEL) --nvme --timeout 600 --out $(DEMO_OUT) -- sh /tests/guest/demo.sh
	@echo "demo: reports in $(DEMO_OUT)/"; ls -1 $(DEMO_OUT) | sed 's/^/  /'

# ---- benchmark: the tracer's cost against a floor measured in the same run ----------------------
BENCH_OUT := $(BUILD)/bench
BENCH_ARGS ?=
# the guest's clock: icount (QEMU -icount: guest instructions, repeatable on a loaded host) or
# wall (real time; rounds interleaved against drift). The host's rows count the submitting
# process's CPU time (--clock cpu): on a shared machine, wall time there measures the neighbours.
BENCH_CLOCK ?= icount
# the guest's limit (s): a full run under icount takes about 20 minutes on a 2-core machine;
# a configuration that stops making progress is ended long before by the bench's watchdog
BENCH_TIMEOUT ?= 3000
# bpftrace goes into the guest with its libraries (vm/run --add copies what ldd names)
# what bench.json records of where it ran, taken on the host (the guest has neither)
BENCH_ENV = IOUCMD_QEMU="$(shell qemu-system-x86_64 --version 2>/dev/null | head -1)" \
	IOUCMD_COMMIT=$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# every part runs even when one fails (a failed configuration is in its table and bench.json);
# the status says at the end whether any did
bench: deps bench-program driver
	@case "$(BENCH_CLOCK)" in wall | icount) ;; \
	*) echo "make bench: BENCH_CLOCK must be wall or icount, not '$(BENCH_CLOCK)'" >&2; exit 2 ;; esac
	@bash $(TOP)/scripts/deps.sh --bench
	@rm -rf $(BENCH_OUT); mkdir -p $(BENCH_OUT)/host $(BENCH_OUT)/guest
	@rc=0; start=$$(date +%s); \
	echo "== host ($$(uname -r)): tracepoint backend, cpu clock"; \
	$(BENCH_ENV) $(BUILD)/ioucmd-bench --clock cpu $(BENCH_ARGS) -o $(BENCH_OUT)/host || rc=1; \
	echo "== host part took $$(( $$(date +%s) - start )) s"; \
	echo "== guest ($(KERNEL)): fentry backend, TCG, $(BENCH_CLOCK) clock"; \
	vm/run --kernel $(KERNEL) $(if $(filter icount,$(BENCH_CLOCK)),--icount) \
		--timeout $(BENCH_TIMEOUT) --out $(BENCH_OUT)/guest --nvme \
		--add $$(command -v bpftrace):/usr/local/bin/bpftrace \
		--add $$(command -v fio):/usr/local/bin/fio -- \
		sh -c 'insmod /lib/modules/ioucmd/ioucmd_ref.ko && $(BENCH_ENV) ioucmd-bench \
			--clock $(BENCH_CLOCK) $(BENCH_ARGS) -o /out' || rc=1; \
	python3 scripts/bench-merge.py $(BENCH_OUT) || rc=1; \
	echo "== make bench took $$(( $$(date +%s) - start )) s ($(BENCH_CLOCK) clock in the guest)"; \
	exit $$rc

# ---- the kernel matrix: 6.1, 6.12 and sid (7.x), one build -------------------------------------
matrix: deps loader
	@tests/matrix.sh
