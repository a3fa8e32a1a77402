/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Submits IORING_OP_URING_CMD commands with liburing and reaps their CQEs. */
#ifndef IOUCMD_SUBMIT_H
#define IOUCMD_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ioucmd.h"
#include "scribble.h"

#define SUBMIT_DATA_MAX 80	/* the command area of a 128-byte SQE */
#define SUBMIT_QD_MAX	32768	/* commands in flight per ring: io_uring's most SQ entries */
#define SUBMIT_THREADS_MAX 256	/* submitting threads of one job */

struct submit_job {
	const char *device;	/* a path, or "socket:udp" / "socket:tcp" for a fresh socket */
	uint32_t cmd_op;
	uint8_t data[SUBMIT_DATA_MAX];
	size_t data_len;
	uint64_t sqe_addr, sqe_addr3;	/* raw SQE fields some drivers read (block discard) */
	unsigned int entries;	/* ring size */
	unsigned int qd;	/* commands in flight at most, per thread */
	unsigned int batch;	/* SQEs per io_uring_submit() */
	unsigned int threads;	/* submitting threads, each with its own ring (0: 1) */
	bool sqe128, cqe32, sqpoll, iopoll, single_issuer, defer_taskrun;
	bool hybrid_iopoll;	/* IORING_SETUP_HYBRID_IOPOLL, with iopoll */
	bool sqe_async;		/* IOSQE_ASYNC: every command issued from io-wq */
	/*
	 * A buffer of buf_len bytes per in-flight command, its address patched into the command
	 * data at buf_addr_off (a u64); with fixed_buffers it is registered with the ring and the
	 * SQEs say IORING_URING_CMD_FIXED.
	 */
	size_t buf_len;
	size_t buf_addr_off;
	bool fixed_buffers;
	/* what each buffer holds when its command is sent (the rest 0x5a) */
	uint8_t buf_init[SUBMIT_DATA_MAX];
	size_t buf_init_len;
	/*
	 * The application reusing what the kernel consumed (scribble.h): the SQ slots' command
	 * areas, and the buffers when the command's contract says it consumes them at issue.
	 */
	enum scribble_mode sqe_scribble, arg_scribble;
	uint64_t count;		/* commands to complete in all (0: run for duration_ns) */
	uint64_t duration_ns;
	/* give up when no CQE arrives for this long (a command never completed); 0: wait on */
	uint64_t wait_timeout_ns;
	/*
	 * Each SQE randomized around the command above (cmd_op, command bytes, SQE flags), from
	 * fuzz_seed and the thread's index: the same seed replays the same commands.
	 */
	bool fuzz;
	uint64_t fuzz_seed;
	/* expected CQE res for every command, when check_res is set */
	bool check_res;
	int32_t expect_res;
	/*
	 * Or per command: the result a correct driver gives the command just prepared, from its
	 * command area and its buffer as sent; false when that is not known.
	 */
	bool (*expect_fn)(uint32_t cmd_op, const uint8_t *cmd, size_t cmd_len, const uint8_t *buf,
			  size_t buf_len, unsigned int setup_flags, int32_t *res);
	/* if set, each thread stores its CQE count here as it reaps (a watchdog sees it move) */
	uint64_t *progress;
};

struct submit_result {
	uint64_t submitted;
	uint64_t cqes;		/* CQEs reaped */
	uint64_t cqe_errors;	/* CQEs with res < 0 */
	uint64_t res_checked;	/* CQEs whose expected res was known */
	uint64_t res_mismatch;	/* ... and differed from it */
	int32_t first_bad_res;
	int64_t res_min, res_max;
	uint64_t big_cqes;	/* CQEs of a CQE32 ring, which carry res2 */
	uint64_t res2_min, res2_max;	/* of those */
	uint64_t elapsed_ns;
	uint64_t abandoned;	/* still in flight when wait_timeout_ns passed without a CQE */
	uint64_t lat[IOUCMD_HIST_BUCKETS];	/* submit to reap, as user space saw it */
};

/* Runs one job; returns 0 or -errno with a sentence in err. */
int submit_run(const struct submit_job *job, struct submit_result *out, char *err, size_t errlen);

/* folds from into to: sums, extremes, the longest elapsed time */
void submit_result_merge(struct submit_result *to, const struct submit_result *from);

/*
 * One reference-driver command (struct ioucmd_ref_cmd {arg, len}) on /dev/ioucmd-ref, waited
 * for: its CQE's res, or a negative value with a sentence in err.
 */
int64_t submit_ref_once(uint32_t cmd_op, uint64_t arg, uint32_t len, char *err, size_t errlen);

#endif /* IOUCMD_SUBMIT_H */
