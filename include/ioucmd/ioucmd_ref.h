/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The reference driver's user ABI: /dev/ioucmd-ref, its uring_cmd operations and their payloads.
 * The one definition shared by driver/, loader/ and the tests.
 */
#ifndef _UAPI_IOUCMD_REF_H
#define _UAPI_IOUCMD_REF_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IOUCMD_REF_DEVNAME	"ioucmd-ref"
#define IOUCMD_REF_DEVPATH	"/dev/" IOUCMD_REF_DEVNAME
#define IOUCMD_REF_MODNAME	"ioucmd_ref"
/* the driver's ->uring_cmd handler, as BTF and kallsyms name it */
#define IOUCMD_REF_HANDLER	"ioucmd_ref_uring_cmd"

/*
 * Command data: the first 16 bytes of the SQE's command area (all of it on a 64-byte SQE).
 * The driver reads it once into its own copy.
 */
struct ioucmd_ref_cmd {
	__u64 arg;	/* echo value, delay in ns, user address: per command */
	__u32 len;	/* length for buffer commands, else 0 */
	__u32 flags;	/* IOUCMD_REF_F_*, must be 0 for now */
};

#define IOUCMD_REF_MAGIC	0xc7

/* cmd_op numbers: _IOWR(IOUCMD_REF_MAGIC, nr, struct ioucmd_ref_cmd); the driver dispatches on nr */
enum ioucmd_ref_nr {
	IOUCMD_REF_NR_NOP = 0x00,	/* completes inline: CQE res = arg & 0x7fffffff */
	IOUCMD_REF_NR_NOP_TW = 0x01,	/* -EIOCBQUEUED, completed from task work: res = arg & 0x7fffffff */
	IOUCMD_REF_NR_STATS = 0x0f,	/* copies struct ioucmd_ref_stats to arg, len >= its size */
};

/*
 * Every command by name, for tools that map names to numbers (scenario files): X(NAME, nr)
 * gives IOUCMD_REF_<NAME>. Keep it in step with enum ioucmd_ref_nr.
 */
#define IOUCMD_REF_FOR_EACH_CMD(X)	\
	X(NOP, IOUCMD_REF_NR_NOP)	\
	X(NOP_TW, IOUCMD_REF_NR_NOP_TW)	\
	X(STATS, IOUCMD_REF_NR_STATS)

#define IOUCMD_REF_CMD(nr)	_IOWR(IOUCMD_REF_MAGIC, (nr), struct ioucmd_ref_cmd)
#define IOUCMD_REF_NOP		IOUCMD_REF_CMD(IOUCMD_REF_NR_NOP)
#define IOUCMD_REF_NOP_TW	IOUCMD_REF_CMD(IOUCMD_REF_NR_NOP_TW)
#define IOUCMD_REF_STATS	IOUCMD_REF_CMD(IOUCMD_REF_NR_STATS)

#define IOUCMD_REF_MODES	16

/* Driver-side counters since load, indexed by command nr: the tests cross-check the tracer. */
struct ioucmd_ref_stats {
	__u64 issued[IOUCMD_REF_MODES];		/* handler calls (reissues and cancel calls included) */
	__u64 queued[IOUCMD_REF_MODES];		/* -EIOCBQUEUED returns */
	__u64 completed[IOUCMD_REF_MODES];	/* io_uring_cmd_done() calls */
	__u64 sync_returns[IOUCMD_REF_MODES];	/* returns the core completes itself */
	__u64 eagain[IOUCMD_REF_MODES];		/* -EAGAIN returns */
	__u64 cancelled[IOUCMD_REF_MODES];	/* completions with -ECANCELED */
	__u64 rejected;				/* malformed commands refused with an errno */
};

#endif /* _UAPI_IOUCMD_REF_H */
