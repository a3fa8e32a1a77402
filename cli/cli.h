/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ioucmd command (cli/): main.c dispatches through one table of subcommands, one file
 * each (list.c, trace.c, submit.c, run.c, report.c). What they share is here, once: the exit
 * statuses, the error helper and the argument helpers (args.c), which ioucmd-bench uses too.
 */
#ifndef IOUCMD_CLI_H
#define IOUCMD_CLI_H

#include <stdint.h>

/* exit statuses, for people and CI */
#define EXIT_OK		0
#define EXIT_VIOLATION	1	/* a violation or a failed expectation */
#define EXIT_USAGE	2	/* bad command line, bad scenario, missing privilege or feature */

/* a subcommand: its name, its function (argv[0] is the name), one line of what it does */
struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
};

int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* what messages start with: "ioucmd trace" (set by the dispatcher), "ioucmd-bench" */
extern const char *cli_prog;

/* "PROG: message" on stderr */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The argument helpers: the value arg of option opt, parsed by parse.h (the same rules as in
 * scenario files) into *out; or a message "PROG: OPT must be ..., got 'ARG'" and -1.
 */
int cli_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
int cli_u32(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *out);
int cli_int(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *out);
/* a duration; a bare number counts seconds; at least min_ns */
int cli_duration(const char *opt, const char *arg, uint64_t min_ns, uint64_t *ns);
/* a cmd_op: a number, or a name (NOP_TW, IOUCMD_REF_NOP_TW) */
int cli_cmd_op(const char *opt, const char *arg, uint32_t *cmd_op);
/* arguments left after the options: "PROG: unexpected argument 'X'" and -1 */
int cli_no_more(int argc, char **argv, int optind);

#endif /* IOUCMD_CLI_H */
