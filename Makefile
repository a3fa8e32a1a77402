# ioucmd — see README.md. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
KERNEL ?= 6.12
# kernels `make test` runs the guest tests on
TEST_KERNELS ?= 6.12 6.1

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(TOP)/include -I$(BUILD)/bpf -I$(TOP)/bpf -I$(TOP)/loader
LDLIBS := -lbpf -luring -linih -ljson-c -lelf -lz

.PHONY: all deps demo test test-host test-guest driver driver-all bpf loader clean help
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

$(BUILD)/bpf/ioucmd.bpf.o: bpf/ioucmd.bpf.c bpf/ioucmd.h bpf/cmd_state.h bpf/core_fixes.bpf.h $(BUILD)/bpf/vmlinux.h
	@echo "  BPF     $<"
	@$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	@$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(BUILD)/bpf/ioucmd.skel.h: $(BUILD)/bpf/ioucmd.bpf.o
	@$(BPFTOOL) gen skeleton $< name ioucmd_bpf > $@

bpf: $(BUILD)/bpf/ioucmd.skel.h

# ---- loader: the ioucmd command ---------------------------------------------------------
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LOADER_SRCS))

$(BUILD)/loader/%.o: loader/%.c $(wildcard loader/*.h) bpf/ioucmd.h bpf/cmd_state.h include/ioucmd/ioucmd_ref.h $(BUILD)/bpf/ioucmd.skel.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/ioucmd: $(LOADER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

loader: $(BUILD)/ioucmd
