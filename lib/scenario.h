/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Scenario files (scenarios/NAME.ini, format in scenarios/README.md): fio-like INI with a [global]
 * section and one section per job (lines lexed by ini_lex.h).
 *
 *	[global]
 *	module = ioucmd_ref
 *	device = /dev/ioucmd-ref
 *	expect = violations == 0
 *
 *	[nop-tw]
 *	cmd = NOP_TW
 *	count = 10000
 *	qd = 32
 *	expect = completed == 10000
 *
 * scenario_load() returns a fully resolved scenario: every job carries its effective settings
 * (its own keys, else [global]'s, else the defaults below), so a runner never looks at [global]
 * for job settings. The file is checked completely before anything is returned: unknown keys,
 * bad values, conflicts and missing keys are errors "FILE:LINE: message", and on error no
 * scenario is returned at all. Values are parsed by parse.h, as the command line's are.
 * Reentrant: parses may run in parallel.
 */
#ifndef IOUCMD_SCENARIO_H
#define IOUCMD_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "expect.h"
#include "submit.h"
#include "tracer.h"

#define SCENARIO_NAME_MAX	48	/* section names: letters, digits, '_', '-', '.' */
#define SCENARIO_PATH_MAX	256	/* device paths */
#define SCENARIO_STR_MAX	256	/* description, module_params */
#define SCENARIO_MODULE_MAX	64	/* module names */
#define SCENARIO_DATA_SQE64	16	/* command bytes in a 64-byte SQE */
#define SCENARIO_DATA_SQE128	80	/* ... and in a 128-byte SQE (sqe128 = 1) */
#define SCENARIO_MAX_JOBS	64
#define SCENARIO_MAX_EXPECTS	64	/* per section */
#define SCENARIO_ERR_MAX	512	/* a buffer this large holds any error message */

/* defaults of keys a file does not set */
#define SCENARIO_DEF_ENTRIES	64
#define SCENARIO_DEF_QD		1
#define SCENARIO_DEF_BATCH	1
#define SCENARIO_DEF_THREADS	1
#define SCENARIO_DEF_BLOCKS	1

/* io_uring setup: each job thread creates one ring like this */
struct scenario_ring {
	uint32_t entries;	/* SQ entries, a power of two 1..SUBMIT_QD_MAX */
	bool sqe128;		/* IORING_SETUP_SQE128 */
	bool cqe32;		/* IORING_SETUP_CQE32 */
	bool sqpoll;		/* IORING_SETUP_SQPOLL */
	bool iopoll;		/* IORING_SETUP_IOPOLL */
	bool hybrid_iopoll;	/* IORING_SETUP_HYBRID_IOPOLL (6.13+, needs iopoll) */
	bool sqe_async;		/* IOSQE_ASYNC on every SQE: issued from io-wq */
	bool single_issuer;	/* IORING_SETUP_SINGLE_ISSUER */
	bool defer_taskrun;	/* IORING_SETUP_DEFER_TASKRUN (needs single_issuer, no sqpoll) */
	bool fixed_buffers;	/* register the I/O buffers (io_uring_register_buffers) */
};

enum scenario_cmd_kind {
	SCENARIO_CMD_REF = 1,	/* `cmd = NAME`: a reference-driver command, struct ioucmd_ref_cmd */
	SCENARIO_CMD_RAW,	/* `cmd_op = N` and `data = HEX`: any driver */
	SCENARIO_CMD_NVME,	/* `nvme = read|write|identify`: NVMe passthrough on /dev/ng* */
};

enum scenario_nvme_op {
	SCENARIO_NVME_READ,
	SCENARIO_NVME_WRITE,
	SCENARIO_NVME_IDENTIFY,
};

/* the command each SQE of a job carries */
struct scenario_cmd {
	enum scenario_cmd_kind kind;
	/*
	 * The SQE's cmd_op. REF: IOUCMD_REF_CMD(nr) from the UAPI header's X-macro; RAW: as
	 * written; NVME: NVME_URING_CMD_IO for read/write, NVME_URING_CMD_ADMIN for identify.
	 */
	uint32_t cmd_op;
	char name[24];		/* REF: the header's name ("NOP_TW"); NVME: "read"...; RAW: "" */
	/* REF: the fields of struct ioucmd_ref_cmd (flags are always 0) */
	uint64_t arg;
	uint32_t len;
	/* RAW: the SQE's command bytes (the rest of the area is zero) */
	uint8_t data[SCENARIO_DATA_SQE128];
	uint32_t data_len;
	/* REF with a runner-made argument (len, no arg): what it holds when sent (rest 0x5a) */
	uint8_t arg_data[SCENARIO_DATA_SQE128];
	uint32_t arg_data_len;
	/* NVME */
	enum scenario_nvme_op nvme;
	uint64_t lba;		/* first LBA of read/write */
	uint32_t blocks;	/* LBAs per command; 0 when given as bs (bytes) instead */
	uint32_t bs;		/* bytes per command (a multiple of 512); 0 when given as blocks */
};

/* how much load a job generates; it stops at count commands or after duration, first reached */
struct scenario_load {
	uint64_t count;		/* commands to complete; 0: bounded by duration only */
	uint64_t duration_ns;	/* 0: bounded by count only */
	uint32_t qd;		/* commands in flight per thread, <= ring entries */
	uint32_t batch;		/* SQEs per io_uring_enter(), <= qd */
	uint32_t threads;	/* submitting threads, each with its own ring */
	bool fuzz;		/* randomize each SQE around the job's command (fuzz = SEED) */
	uint64_t fuzz_seed;
	/* the application reusing consumed SQEs and arguments (scribble.h) */
	enum scribble_mode sqe_scribble;
	enum scribble_mode arg_scribble;
};

struct scenario_job {
	char name[SCENARIO_NAME_MAX];	/* the section name */
	int line;			/* line of its [section] header */
	char device[SCENARIO_PATH_MAX];	/* the file the ring's SQEs target */
	struct scenario_ring ring;
	struct scenario_cmd cmd;
	struct scenario_load load;
	/* this job's own `expect` lines, checked against this job's part of the report */
	struct expect *expects;
	size_t nr_expects;
};

struct scenario {
	char *path;		/* as given to scenario_load() */
	char *source;		/* the whole file, for reports */
	/* [global]-only settings; empty strings / zeros when not set */
	char description[SCENARIO_STR_MAX];
	char module[SCENARIO_MODULE_MAX];		/* kernel module to load first */
	char module_params[SCENARIO_STR_MAX];		/* its parameters, "a=1 b=2" */
	unsigned min_kernel_major, min_kernel_minor;	/* 0.0: any kernel */
	enum tracer_backend backend;			/* TRACER_AUTO unless set */
	uint64_t stall_timeout_ns;			/* 0: the tracer's default */
	/* [global]'s `expect` lines, checked against the report of the whole scenario */
	struct expect *expects;
	size_t nr_expects;
	struct scenario_job *jobs;			/* in file order, at least one */
	size_t nr_jobs;
};

/*
 * Parses the scenario file at path. Returns 0 and a scenario to free with scenario_free(), or
 * -1 with *out = NULL and err holding "PATH:LINE: message" (SCENARIO_ERR_MAX bytes suffice).
 */
int scenario_load(const char *path, struct scenario **out, char *err, size_t errlen);

/* the same from text in memory; name stands for the file name in messages */
int scenario_parse_string(const char *name, const char *text, struct scenario **out,
			  char *err, size_t errlen);

void scenario_free(struct scenario *sc);

/*
 * The bytes to copy into a job's SQE command area (sqe->cmd): struct ioucmd_ref_cmd for REF,
 * the data bytes for RAW, nothing for NVME (the runner builds struct nvme_uring_cmd itself, as
 * it needs the namespace's id and block size). Writes at most buflen bytes, zero-fills the rest
 * of buf, and returns the number of meaningful bytes.
 */
size_t scenario_cmd_payload(const struct scenario_cmd *cmd, void *buf, size_t buflen);

/* "read", "write", "identify" */
const char *scenario_nvme_op_name(enum scenario_nvme_op op);

#endif /* IOUCMD_SCENARIO_H */
