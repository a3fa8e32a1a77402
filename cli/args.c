// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The error and argument helpers of the programs' command lines: see cli.h. */
#include <stdarg.h>
#include <stdio.h>
#include "cli.h"
#include "parse.h"

const char *cli_prog = "ioucmd";

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* 0, or the parser's clause after the option's name and -1 */
static int said(int ret, const char *opt, const char *why)
{
	if (ret)
		cli_err("%s %s", opt, why);
	return ret ? -1 : 0;
}

int cli_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char why[PARSE_WHY_MAX];

	return said(parse_u64(arg, min, max, out, why, sizeof(why)), opt, why);
}

int cli_u32(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	char why[PARSE_WHY_MAX];

	return said(parse_u32(arg, min, max, out, why, sizeof(why)), opt, why);
}

int cli_int(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *out)
{
	char why[PARSE_WHY_MAX];

	return said(parse_int(arg, min, max, out, why, sizeof(why)), opt, why);
}

int cli_duration(const char *opt, const char *arg, uint64_t min_ns, uint64_t *ns)
{
	char why[PARSE_WHY_MAX];

	return said(parse_duration(arg, PARSE_SECONDS, min_ns, ns, why, sizeof(why)), opt, why);
}

int cli_cmd_op(const char *opt, const char *arg, uint32_t *cmd_op)
{
	char why[PARSE_WHY_MAX];

	return said(parse_cmd_op(arg, cmd_op, why, sizeof(why)), opt, why);
}

int cli_no_more(int argc, char **argv, int optind)
{
	if (optind >= argc)
		return 0;
	cli_err("unexpected argument '%s'", argv[optind]);
	return -1;
}
