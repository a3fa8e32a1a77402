// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd submit: a load generator for one uring_cmd, without a scenario file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ioucmd/ioucmd_ref.h>
#include "cli.h"
#include "refcmds.h"
#include "submit.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd submit -f DEVICE (-c NAME | --cmd-op N) [--arg N] [-n COUNT]\n"
		"                     [-q DEPTH] [-b BATCH] [--sqe128] [--cqe32] [--expect-res N]\n"
		"                     [--sqe-addr N] [--sqe-addr3 N]\n\n"
		"Submits COUNT IORING_OP_URING_CMD commands to DEVICE and reaps their CQEs.\n"
		"DEVICE is a path, or socket:udp / socket:tcp for a socket made for the run.\n"
		"NAME is a reference-driver command (NOP, NOP_TW, ...); --arg fills its data;\n"
		"--sqe-addr/--sqe-addr3 set those SQE fields (block discard: start, length).\n");
}

static int parse_u64(const char *s, const char *what, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "ioucmd submit: %s takes a non-negative number, not '%s'\n", what, s);
		return -1;
	}
	return 0;
}

/* a number within [lo, hi], or a message that says which */
static int parse_u64_in(const char *s, const char *what, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (parse_u64(s, what, out))
		return -1;
	if (*out < lo || *out > hi) {
		fprintf(stderr, "ioucmd submit: %s takes a number from %llu to %llu, not '%s'\n", what,
			(unsigned long long)lo, (unsigned long long)hi, s);
		return -1;
	}
	return 0;
}

int cmd_submit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, 0, 'f' }, { "cmd", required_argument, 0, 'c' },
		{ "cmd-op", required_argument, 0, 'o' }, { "arg", required_argument, 0, 'a' },
		{ "count", required_argument, 0, 'n' }, { "qd", required_argument, 0, 'q' },
		{ "batch", required_argument, 0, 'b' }, { "sqe128", no_argument, 0, '1' },
		{ "cqe32", no_argument, 0, '3' }, { "expect-res", required_argument, 0, 'e' },
		{ "sqe-addr", required_argument, 0, 'A' }, { "sqe-addr3", required_argument, 0, 'B' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	struct submit_job job = { .count = 1, .qd = 1, .batch = 1, .entries = 64 };
	struct ioucmd_ref_cmd data = { 0 };
	struct submit_result res;
	bool have_op = false;
	uint64_t v;
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:c:n:q:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': job.device = optarg; break;
		case 'c':
			if (!refcmd_by_name(optarg, &job.cmd_op)) {
				fprintf(stderr, "ioucmd submit: '%s' is not a reference-driver command\n",
					optarg);
				return EXIT_USAGE;
			}
			have_op = true;
			break;
		case 'o':
			if (parse_u64_in(optarg, "--cmd-op", 0, UINT32_MAX, &v))
				return EXIT_USAGE;
			job.cmd_op = (uint32_t)v;
			have_op = true;
			break;
		case 'a':
			if (parse_u64(optarg, "--arg", &v))
				return EXIT_USAGE;
			data.arg = v;
			break;
		case 'n':
			if (parse_u64_in(optarg, "-n", 1, UINT64_MAX, &job.count))
				return EXIT_USAGE;
			break;
		case 'q':
			if (parse_u64_in(optarg, "-q", 1, 32768, &v))
				return EXIT_USAGE;
			job.qd = (unsigned int)v;
			job.entries = job.qd < 64 ? 64 : (unsigned int)v;
			break;
		case 'b':
			if (parse_u64_in(optarg, "-b", 1, 4096, &v))
				return EXIT_USAGE;
			job.batch = (unsigned int)v;
			break;
		case 'A': if (parse_u64(optarg, "--sqe-addr", &job.sqe_addr)) return EXIT_USAGE; break;
		case 'B': if (parse_u64(optarg, "--sqe-addr3", &job.sqe_addr3)) return EXIT_USAGE; break;
		case '1': job.sqe128 = true; break;
		case '3': job.cqe32 = true; break;
		case 'e': {
			char *end;
			long r;

			errno = 0;
			r = strtol(optarg, &end, 0);
			if (errno || end == optarg || *end || r < INT32_MIN || r > INT32_MAX) {
				fprintf(stderr, "ioucmd submit: --expect-res takes a CQE result (an int), "
					"not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			job.check_res = true;
			job.expect_res = (int)r;
			break;
		}
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!job.device || !have_op) {
		fprintf(stderr, "ioucmd submit: -f DEVICE and a command (-c NAME or --cmd-op N) "
			"are required\n");
		return EXIT_USAGE;
	}
	if (data.arg) {
		memcpy(job.data, &data, sizeof(data));
		job.data_len = sizeof(data);
	}
	if (submit_run(&job, &res, err, sizeof(err))) {
		fprintf(stderr, "ioucmd submit: %s\n", err);
		return EXIT_USAGE;
	}
	printf("submitted %llu, cqes %llu, errors %llu, res mismatches %llu, %.0f ns/cmd\n",
	       (unsigned long long)res.submitted, (unsigned long long)res.cqes,
	       (unsigned long long)res.cqe_errors, (unsigned long long)res.res_mismatch,
	       res.cqes ? (double)res.elapsed_ns / res.cqes : 0.0);
	return res.res_mismatch || res.cqes != res.submitted ? EXIT_VIOLATION : EXIT_OK;
}
