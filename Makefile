# ioucmd — see README.md. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
KERNEL ?= 6.12
# kernels `make test` runs the guest tests on
TEST_KERNELS ?= 6.12 6.1 sid
# every fault in its own boot (several wreck the kernel); the driver does not build for sid
FAULT_KERNELS ?= 6.12 6.1

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(TOP)/include -I$(BUILD)/bpf -I$(TOP)/bpf -I$(TOP)/loader
LDLIBS := -lbpf -luring -linih -ljson-c -lelf -lz -lm -lpthread

.SECONDARY:
.PHONY: all deps demo test test-host test-guest driver driver-all bpf loader clean help bench matrix fuzz checkpatch cross-arm64
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

# status 3: the kernel needs a newer compiler than bookworm's (sid): its guest tests skip the driver
driver-all: deps
	@for k in $(TEST_KERNELS); do bash $(TOP)/scripts/build-driver.sh $$k || [ $$? = 3 ] || exit 1; done

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

# ---- loader: the ioucmd command ---------------------------------------------------------
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LOADER_SRCS))

$(BUILD)/loader/%.o: loader/%.c $(wildcard loader/*.h) bpf/ioucmd.h bpf/cmd_state.h include/ioucmd/ioucmd_ref.h $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/ioucmd: $(LOADER_OBJS)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

loader: $(BUILD)/ioucmd

# ---- arm64: the BPF objects and the loader cross-built into build/arm64/ (not run here) -----
cross-arm64: deps
	@bash $(TOP)/scripts/cross-arm64.sh

# ---- tests ----------------------------------------------------------------------------------
# Host tests run here (ASan/UBSan); guest tests boot each kernel of TEST_KERNELS in vm/run.
# Every suite speaks KTAP; tests/summary.sh prints the closing "N passed, N failed" line.
SAN_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -I$(TOP)/include -I$(TOP)/bpf -I$(TOP)/loader
RESULTS := $(BUILD)/test-results.txt

$(BUILD)/tests/host/test_cmd_state: tests/host/test_cmd_state.c tests/host/ktap.h bpf/cmd_state.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SAN_CFLAGS) -o $@ $<

# the loader again with ASan/UBSan, for the tests that feed it bad command lines and files
ASAN_LOADER := $(BUILD)/asan/ioucmd
$(ASAN_LOADER): $(LOADER_SRCS) $(wildcard loader/*.h) bpf/ioucmd.h bpf/cmd_state.h $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(SAN_CFLAGS) -I$(BUILD)/bpf -o $@ $(LOADER_SRCS) $(LDLIBS)

include tests/host/host.mk
HOST_TESTS := $(BUILD)/tests/host/test_cmd_state $(HOST_SCENARIO_TEST)

test-host: deps $(HOST_TESTS) loader $(ASAN_LOADER)
	@for t in $(HOST_TESTS); do IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/$$(basename $$t) $$t; done
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/cli_errors tests/host/cli_errors.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/cross_arm64 tests/host/cross_arm64.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/tp_backend tests/host/tp_backend.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/html_report tests/host/html_report.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/checkpatch tests/host/checkpatch.sh
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh host/scenarios \
		$(BUILD)/ioucmd run scenarios/null.ini scenarios/socket.ini

# one guest boot per kernel runs every guest suite (tests/guest/all.sh)
test-guest: deps loader driver-all
	@for k in $(TEST_KERNELS); do \
		IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh guest-$$k \
			vm/run --kernel $$k --nvme --timeout 600 -- sh /tests/guest/all.sh; \
	done
	@IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh faults tests/faults.sh $(FAULT_KERNELS)
	@IOUCMD_RESULTS=$(RESULTS) IOUCMD_VIOLATION_REPORTS=$(BUILD)/tests/faults \
		tests/run-suite.sh html_violation tests/host/html_report.sh
	@for k in $(FAULT_KERNELS); do \
		IOUCMD_RESULTS=$(RESULTS) tests/run-suite.sh fuzz-$$k \
			vm/run --kernel $$k --timeout 600 -- sh /tests/guest/fuzz.sh; \
	done

# 60 s of random commands at the driver per kernel, under the tracer; dmesg must stay clean
fuzz: deps loader driver-all
	@rm -f $(BUILD)/fuzz-results.txt
	@for k in $(FAULT_KERNELS); do \
		IOUCMD_RESULTS=$(BUILD)/fuzz-results.txt tests/run-suite.sh fuzz-$$k \
			vm/run --kernel $$k --timeout 600 -- sh /tests/guest/fuzz.sh; \
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

# ---- benchmark: the tracer's cost against a floor measured in the same run (issue 9) ---------
BENCH_OUT := $(BUILD)/bench
BENCH_ARGS ?=
# bpftrace goes into the guest with its libraries (vm/run --add copies what ldd names)
# what bench.json records of where it ran, taken on the host (the guest has neither)
BENCH_ENV = IOUCMD_QEMU="$(shell qemu-system-x86_64 --version 2>/dev/null | head -1)" \
	IOUCMD_COMMIT=$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
bench: deps loader driver
	@bash $(TOP)/scripts/deps.sh --bench
	@mkdir -p $(BENCH_OUT)/host $(BENCH_OUT)/guest
	@echo "== host ($$(uname -r)): tracepoint backend"
	@$(BENCH_ENV) $(BUILD)/ioucmd bench $(BENCH_ARGS) -o $(BENCH_OUT)/host
	@echo "== guest ($(KERNEL)): fentry backend, TCG"
	@vm/run --kernel $(KERNEL) --timeout 3000 --out $(BENCH_OUT)/guest --nvme \
		--add $$(command -v bpftrace):/usr/local/bin/bpftrace \
		--add $$(command -v fio):/usr/local/bin/fio -- \
		sh -c 'insmod /lib/modules/ioucmd/ioucmd_ref.ko && $(BENCH_ENV) ioucmd bench $(BENCH_ARGS) -o /out'
	@python3 scripts/bench-merge.py $(BENCH_OUT)

# ---- the kernel matrix: 6.1, 6.12 and sid (7.x), one build (issue 7) -------------------------
matrix: deps loader
	@tests/matrix.sh
