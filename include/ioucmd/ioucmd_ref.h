/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The reference driver's user ABI: /dev/ioucmd-ref, its uring_cmd operations and their payloads.
 * The one definition shared by driver/, lib/ and the tests.
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

/* cmd_op: _IOWR(IOUCMD_REF_MAGIC, nr, struct ioucmd_ref_cmd); the driver dispatches on nr */
enum ioucmd_ref_nr {
	/* each completion pattern done right */
	IOUCMD_REF_NR_NOP = 0x00,	/* completes inline: CQE res = arg & 0x7fffffff */
	IOUCMD_REF_NR_NOP_TW = 0x01,	/* -EIOCBQUEUED, completed from task work: res as NOP */
	IOUCMD_REF_NR_NOP_TW_LAZY = 0x02, /* the same through the lazy-wake task work (6.12+) */
	IOUCMD_REF_NR_KWORKER = 0x03,	/* completed from a workqueue with IO_URING_F_UNLOCKED */
	IOUCMD_REF_NR_DELAY = 0x04,	/* hrtimer of arg ns (<= 1 s), then task work: res 0 */
	IOUCMD_REF_NR_EAGAIN = 0x05,	/* -EAGAIN while IO_URING_F_NONBLOCK, then res = arg */
	IOUCMD_REF_NR_CANCELABLE = 0x06, /* parked until KICK or ring exit: -ECANCELED (6.7+) */
	IOUCMD_REF_NR_KICK = 0x07,	/* completes every parked CANCELABLE: res = how many */
	IOUCMD_REF_NR_BIG = 0x08,	/* SQE128 + CQE32: res = payload byte sum, res2 = arg */
	IOUCMD_REF_NR_COPY_OUT = 0x09,	/* fills len bytes at arg (or fixed buffer) with 0xa5 */
	IOUCMD_REF_NR_COPY_IN = 0x0a,	/* reads len bytes at arg: res = their sum & INT_MAX */
	/*
	 * arg: a struct ioucmd_ref_uarg in user memory (len its size), consumed at issue: -EAGAIN
	 * while IO_URING_F_NONBLOCK, the blocking reissue waits wait_ns, then res = value & INT_MAX
	 */
	IOUCMD_REF_NR_EAGAIN_ARG = 0x0b,
	/* DELAY's ground truth: up to len / 8 issue-to-done() ns (__u64) to arg, then cleared */
	IOUCMD_REF_NR_LATENCIES = 0x0e,	/* res = how many were copied */
	IOUCMD_REF_NR_STATS = 0x0f,	/* struct ioucmd_ref_stats to arg, len >= its size */
	/* each rule broken on purpose: only with the module parameter faults=1, else -EPERM */
	IOUCMD_REF_NR_FAULT_DOUBLE_DONE = 0x10,		/* task work calls done() twice */
	IOUCMD_REF_NR_FAULT_DONE_THEN_SYNC = 0x11,	/* done() inline, then returns 0 */
	IOUCMD_REF_NR_FAULT_DONE_AFTER_EAGAIN = 0x12,	/* done(), then returns -EAGAIN */
	IOUCMD_REF_NR_FAULT_WQ_ISSUE_FLAGS = 0x13,	/* workqueue done() with issue-time flags */
	IOUCMD_REF_NR_FAULT_TW_FLAGS_ZERO = 0x14,	/* task work passes 0, not its flags */
	IOUCMD_REF_NR_FAULT_RES2_NO_CQE32 = 0x15,	/* res2 on a ring without CQE32 */
	IOUCMD_REF_NR_FAULT_NEVER_DONE = 0x16,		/* -EIOCBQUEUED and never completed */
	IOUCMD_REF_NR_FAULT_IGNORE_CANCEL = 0x17,	/* the cancel call does nothing */
	IOUCMD_REF_NR_FAULT_CANCEL_RACE = 0x18,		/* cancel and task work both done() */
	IOUCMD_REF_NR_FAULT_TIMER_DONE = 0x19,		/* done() straight from an hrtimer */
	IOUCMD_REF_NR_FAULT_SQE_IN_TW = 0x1a,		/* task work reads the SQE: res from it */
	IOUCMD_REF_NR_FAULT_ARG_REREAD = 0x1b,		/* EAGAIN_ARG, reading arg on reissue */
	IOUCMD_REF_NR_FAULT_CANCELABLE_SYNC = 0x1c,	/* mark_cancelable(), then returns 0 */
};

/* command numbers are below this (_IOC_NR's low 5 bits): the stats keep one slot per number */
#define IOUCMD_REF_NR_SPACE	32

/*
 * The commands that exist, by name, indexed by nr: the driver rejects a nr without a name, and
 * tools spell commands so (scenario files say `cmd = NOP_TW`, the command line `-c NOP_TW`).
 */
static const char *const ioucmd_ref_cmd_names[IOUCMD_REF_NR_SPACE] = {
	[IOUCMD_REF_NR_NOP] = "NOP",
	[IOUCMD_REF_NR_NOP_TW] = "NOP_TW",
	[IOUCMD_REF_NR_NOP_TW_LAZY] = "NOP_TW_LAZY",
	[IOUCMD_REF_NR_KWORKER] = "KWORKER",
	[IOUCMD_REF_NR_DELAY] = "DELAY",
	[IOUCMD_REF_NR_EAGAIN] = "EAGAIN",
	[IOUCMD_REF_NR_CANCELABLE] = "CANCELABLE",
	[IOUCMD_REF_NR_KICK] = "KICK",
	[IOUCMD_REF_NR_BIG] = "BIG",
	[IOUCMD_REF_NR_COPY_OUT] = "COPY_OUT",
	[IOUCMD_REF_NR_COPY_IN] = "COPY_IN",
	[IOUCMD_REF_NR_EAGAIN_ARG] = "EAGAIN_ARG",
	[IOUCMD_REF_NR_LATENCIES] = "LATENCIES",
	[IOUCMD_REF_NR_STATS] = "STATS",
	[IOUCMD_REF_NR_FAULT_DOUBLE_DONE] = "FAULT_DOUBLE_DONE",
	[IOUCMD_REF_NR_FAULT_DONE_THEN_SYNC] = "FAULT_DONE_THEN_SYNC",
	[IOUCMD_REF_NR_FAULT_DONE_AFTER_EAGAIN] = "FAULT_DONE_AFTER_EAGAIN",
	[IOUCMD_REF_NR_FAULT_WQ_ISSUE_FLAGS] = "FAULT_WQ_ISSUE_FLAGS",
	[IOUCMD_REF_NR_FAULT_TW_FLAGS_ZERO] = "FAULT_TW_FLAGS_ZERO",
	[IOUCMD_REF_NR_FAULT_RES2_NO_CQE32] = "FAULT_RES2_NO_CQE32",
	[IOUCMD_REF_NR_FAULT_NEVER_DONE] = "FAULT_NEVER_DONE",
	[IOUCMD_REF_NR_FAULT_IGNORE_CANCEL] = "FAULT_IGNORE_CANCEL",
	[IOUCMD_REF_NR_FAULT_CANCEL_RACE] = "FAULT_CANCEL_RACE",
	[IOUCMD_REF_NR_FAULT_TIMER_DONE] = "FAULT_TIMER_DONE",
	[IOUCMD_REF_NR_FAULT_SQE_IN_TW] = "FAULT_SQE_IN_TW",
	[IOUCMD_REF_NR_FAULT_ARG_REREAD] = "FAULT_ARG_REREAD",
	[IOUCMD_REF_NR_FAULT_CANCELABLE_SYNC] = "FAULT_CANCELABLE_SYNC",
};

#define IOUCMD_REF_CMD(nr)	_IOWR(IOUCMD_REF_MAGIC, (nr), struct ioucmd_ref_cmd)
#define IOUCMD_REF_NOP		IOUCMD_REF_CMD(IOUCMD_REF_NR_NOP)
#define IOUCMD_REF_NOP_TW	IOUCMD_REF_CMD(IOUCMD_REF_NR_NOP_TW)
#define IOUCMD_REF_STATS	IOUCMD_REF_CMD(IOUCMD_REF_NR_STATS)
#define IOUCMD_REF_LATENCIES	IOUCMD_REF_CMD(IOUCMD_REF_NR_LATENCIES)
#define IOUCMD_REF_DELAY	IOUCMD_REF_CMD(IOUCMD_REF_NR_DELAY)
/* DELAY latencies the driver keeps until LATENCIES reads them; later ones are dropped */
#define IOUCMD_REF_LAT_MAX	65536

/*
 * The user argument of EAGAIN_ARG (and FAULT_ARG_REREAD): read once, at the first issue. The
 * application may reuse it as soon as io_uring_enter() has consumed the SQE, as it may the SQE.
 */
struct ioucmd_ref_uarg {
	__u64 value;		/* the result: value & 0x7fffffff */
	__u64 wait_ns;		/* how long the blocking reissue waits, <= 1 s */
};

/* BIG: the 80-byte command area of a 128-byte SQE */
struct ioucmd_ref_big_cmd {
	__u64 arg;		/* comes back as res2 */
	__u32 len;		/* payload bytes used, <= 64 */
	__u32 flags;		/* must be 0 */
	__u8 payload[64];
};

/* Driver-side counters since load, indexed by command nr: the tests cross-check the tracer. */
struct ioucmd_ref_stats {
	__u64 issued[IOUCMD_REF_NR_SPACE];	/* handler calls, reissues and cancels too */
	__u64 queued[IOUCMD_REF_NR_SPACE];	/* -EIOCBQUEUED returns */
	__u64 completed[IOUCMD_REF_NR_SPACE];	/* io_uring_cmd_done() calls */
	__u64 sync_returns[IOUCMD_REF_NR_SPACE]; /* returns the core completes itself */
	__u64 eagain[IOUCMD_REF_NR_SPACE];	/* -EAGAIN returns */
	__u64 cancelled[IOUCMD_REF_NR_SPACE];	/* completions with -ECANCELED */
	__u64 rejected;				/* malformed commands refused with an errno */
};

#endif /* _UAPI_IOUCMD_REF_H */
