/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ioucmd command: subcommands and what they share. */
#ifndef IOUCMD_CLI_H
#define IOUCMD_CLI_H

#include <stdio.h>
#include "tracer.h"

/* exit statuses, for people and CI */
#define EXIT_OK		0
#define EXIT_VIOLATION	1	/* a violation or a failed expectation */
#define EXIT_USAGE	2	/* bad command line, bad scenario, missing privilege or feature */

int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* prints one violation as text, with its symbolized stacks */
void violation_print(FILE *out, struct tracer *t, const struct ioucmd_event *e, int raw);
/* a command pointer as reports show it: hashed unless raw, so reports leak no addresses */
const char *cmd_id(uint64_t cmd, int raw, char *buf, size_t len);

#endif /* IOUCMD_CLI_H */
