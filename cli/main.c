// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd: trace and test drivers that implement io_uring's ->uring_cmd. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "list", cmd_list, "uring_cmd handlers in BTF and what this kernel lets ioucmd attach" },
	{ "trace", cmd_trace, "trace live commands, report violations and latency" },
	{ "submit", cmd_submit, "submit uring_cmd commands to a device (a load generator)" },
	{ "run", cmd_run, "run scenario files under the tracer and check their expectations" },
	{ "report", cmd_report, "render a saved JSON report as HTML or a Prometheus textfile" },
	{ "help", cmd_help, "this list" },
	{ 0 },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ioucmd SUBCOMMAND [OPTIONS]\n\n");
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->what);
	fprintf(out, "\n'ioucmd SUBCOMMAND --help' for its options. Exit status: 0 ok, "
		"1 violation or failed expectation, 2 usage or environment error.\n"
		"The benchmark is a program of its own: ioucmd-bench.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

/* runs the subcommand argv[0] names, with messages prefixed "ioucmd NAME" */
static int cmd_select(const struct cmd *table, int argc, char **argv)
{
	static char prog[64];

	for (const struct cmd *c = table; c->name; c++) {
		if (strcmp(argv[0], c->name))
			continue;
		snprintf(prog, sizeof(prog), "ioucmd %s", c->name);
		cli_prog = prog;
		return c->fn(argc, argv);
	}
	cli_err("unknown subcommand '%s'", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(argc - 1, argv + 1);
	return cmd_select(cmds, argc - 1, argv + 1);
}
