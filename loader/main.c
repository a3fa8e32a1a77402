// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd: trace and test drivers that implement io_uring's ->uring_cmd. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} subcommands[] = {
	{ "list", cmd_list, "uring_cmd handlers in BTF and what this kernel lets ioucmd attach" },
	{ "trace", cmd_trace, "trace live commands, report violations and latency" },
	{ "submit", cmd_submit, "submit uring_cmd commands to a device (a load generator)" },
	{ "run", cmd_run, "run scenario files under the tracer and check their expectations" },
	{ "bench", cmd_bench, "measure the tracer's cost against a floor of empty programs" },
	{ "report", cmd_report, "render a saved JSON report as HTML or a Prometheus textfile" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ioucmd SUBCOMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].what);
	fprintf(out, "\n'ioucmd SUBCOMMAND --help' for its options. Exit status: 0 ok, "
		"1 violation or failed expectation, 2 usage or environment error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ioucmd: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
