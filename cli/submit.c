// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd submit: a load generator for one uring_cmd, without a scenario file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ioucmd/ioucmd_ref.h>
#include "cli.h"
#include "submit.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd submit -f|--device DEVICE -c|--cmd|--cmd-op CMD_OP [--arg N]\n"
		"                     [-n|--count COUNT] [-q|--qd DEPTH] [-b|--batch BATCH]\n"
		"                     [--sqe128] [--cqe32] [--expect-res N]\n"
		"                     [--sqe-addr N] [--sqe-addr3 N]\n\n"
		"Submits COUNT IORING_OP_URING_CMD commands to DEVICE and reaps their CQEs.\n"
		"DEVICE is a path, or socket:udp / socket:tcp for a socket made for the run.\n"
		"CMD_OP (-c or --cmd-op) is a number, or a command name such as NOP_TW, as trace's\n"
		"-c takes it; --arg fills a reference-driver command's data (struct ioucmd_ref_cmd);\n"
		"--sqe-addr/--sqe-addr3 set those SQE fields (block discard: start, length).\n");
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
	int64_t res_want;
	uint64_t arg;
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:c:n:q:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': job.device = optarg; break;
		case 'c':
		case 'o':
			if (cli_cmd_op(c == 'c' ? "-c" : "--cmd-op", optarg, &job.cmd_op))
				return EXIT_USAGE;
			have_op = true;
			break;
		case 'a':
			if (cli_u64("--arg", optarg, 0, UINT64_MAX, &arg))
				return EXIT_USAGE;
			data.arg = arg;
			break;
		case 'n': if (cli_u64("-n", optarg, 1, UINT64_MAX, &job.count)) return EXIT_USAGE; break;
		case 'q':
			if (cli_u32("-q", optarg, 1, SUBMIT_QD_MAX, &job.qd))
				return EXIT_USAGE;
			job.entries = job.qd < 64 ? 64 : job.qd;
			break;
		case 'b':
			if (cli_u32("-b", optarg, 1, SUBMIT_QD_MAX, &job.batch))
				return EXIT_USAGE;
			break;
		case 'A':
			if (cli_u64("--sqe-addr", optarg, 0, UINT64_MAX, &job.sqe_addr))
				return EXIT_USAGE;
			break;
		case 'B':
			if (cli_u64("--sqe-addr3", optarg, 0, UINT64_MAX, &job.sqe_addr3))
				return EXIT_USAGE;
			break;
		case '1': job.sqe128 = true; break;
		case '3': job.cqe32 = true; break;
		case 'e':
			if (cli_int("--expect-res", optarg, INT32_MIN, INT32_MAX, &res_want))
				return EXIT_USAGE;
			job.check_res = true;
			job.expect_res = (int32_t)res_want;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (cli_no_more(argc, argv, optind))
		return EXIT_USAGE;
	if (!job.device || !have_op) {
		cli_err("-f DEVICE and a command (-c CMD_OP) are required");
		return EXIT_USAGE;
	}
	if (data.arg) {
		memcpy(job.data, &data, sizeof(data));
		job.data_len = sizeof(data);
	}
	if (submit_run(&job, &res, err, sizeof(err))) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	printf("submitted %llu, cqes %llu, errors %llu, res mismatches %llu, %.0f ns/cmd\n",
	       (unsigned long long)res.submitted, (unsigned long long)res.cqes,
	       (unsigned long long)res.cqe_errors, (unsigned long long)res.res_mismatch,
	       res.cqes ? (double)res.elapsed_ns / res.cqes : 0.0);
	return res.res_mismatch || res.cqes != res.submitted ? EXIT_VIOLATION : EXIT_OK;
}
