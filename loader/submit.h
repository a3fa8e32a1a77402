/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Submits IORING_OP_URING_CMD commands with liburing and reaps their CQEs. */
#ifndef IOUCMD_SUBMIT_H
#define IOUCMD_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUBMIT_DATA_MAX 80	/* the command area of a 128-byte SQE */

struct submit_job {
	const char *device;	/* a path, or "socket:udp" / "socket:tcp" for a fresh socket */
	uint32_t cmd_op;
	uint8_t data[SUBMIT_DATA_MAX];
	size_t data_len;
	uint64_t sqe_addr, sqe_addr3;	/* raw SQE fields some drivers read (block discard) */
	unsigned int entries;	/* ring size */
	unsigned int qd;	/* commands in flight at most */
	unsigned int batch;	/* SQEs per io_uring_submit() */
	bool sqe128, cqe32;
	uint64_t count;		/* commands to complete (0: run for duration_ns) */
	uint64_t duration_ns;
	/* expected CQE res for every command, when check_res is set */
	bool check_res;
	int32_t expect_res;
};

struct submit_result {
	uint64_t submitted;
	uint64_t cqes;		/* CQEs reaped */
	uint64_t cqe_errors;	/* CQEs with res < 0 */
	uint64_t res_mismatch;	/* CQEs whose res differed from expect_res */
	int32_t first_bad_res;
	uint64_t elapsed_ns;
};

/* Runs one job; returns 0 or -errno with a sentence in err. */
int submit_run(const struct submit_job *job, struct submit_result *out, char *err, size_t errlen);

#endif /* IOUCMD_SUBMIT_H */
