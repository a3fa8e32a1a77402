# Host unit tests of the scenario parser and the expectation language (no kernel needed).
# Included from the top Makefile (`include tests/host/host.mk`), or on its own:
#   make -f tests/host/host.mk test-host-scenario
# The test prints KTAP and exits 0 (all passed) or 1; run it from the top of the tree, or give
# it the directory holding good-scenarios/ and bad-scenarios/ as its argument.

SCN_TOP := $(or $(TOP),$(CURDIR))
SCN_BUILD := $(or $(BUILD),$(SCN_TOP)/build)
SCN_CC := $(or $(CC),gcc)
SCN_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all -I $(SCN_TOP)/include -I $(SCN_TOP)/lib -I $(SCN_TOP)/bpf
SCN_SRCS := $(SCN_TOP)/tests/host/test_scenario.c $(SCN_TOP)/lib/scenario.c \
	$(SCN_TOP)/lib/expect.c $(SCN_TOP)/lib/ini_lex.c $(SCN_TOP)/lib/names.c $(SCN_TOP)/lib/parse.c
SCN_DEPS := $(SCN_SRCS) $(wildcard $(SCN_TOP)/lib/*.h) $(SCN_TOP)/bpf/cmd_state.h \
	$(SCN_TOP)/tests/host/ktap.h $(SCN_TOP)/include/ioucmd/ioucmd_ref.h

# the test binary, for a list of host tests (it runs from the top of the tree without arguments)
HOST_SCENARIO_TEST := $(SCN_BUILD)/tests/host/test_scenario

$(HOST_SCENARIO_TEST): $(SCN_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(SCN_CC) $(SCN_CFLAGS) -o $@ $(SCN_SRCS) -lpthread

.PHONY: test-host-scenario
test-host-scenario: $(HOST_SCENARIO_TEST)
	@cd $(SCN_TOP) && $(HOST_SCENARIO_TEST) tests/host
