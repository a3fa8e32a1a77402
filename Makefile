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
