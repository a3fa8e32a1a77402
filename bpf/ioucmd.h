/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What crosses between the BPF programs (bpf/ioucmd.bpf.c, bpf/ioucmd_tp.bpf.c) and user space
 * (lib/tracer.c): map value layouts, the event and the latency histogram geometry. The one
 * definition of each.
 */
#ifndef IOUCMD_H
#define IOUCMD_H

#include "cmd_state.h"

/* -H / -d: handlers the trace is narrowed to (none: every ->uring_cmd the dispatcher sees) */
#define IOUCMD_MAX_HANDLERS	64
/* distinct cmd_op values a handler is reported with by the loader; the rest are "other" */
#define IOUCMD_MAX_OPS		16
#define IOUCMD_OP_OTHER		(IOUCMD_MAX_OPS - 1)
/* the in-flight table's default size (entries, a power of two) */
#define IOUCMD_INFLIGHT_BITS	14
#define IOUCMD_INFLIGHT_MAX	(1u << IOUCMD_INFLIGHT_BITS)
/* slots a command may take in the in-flight table: its home slot and the next ones */
#define IOUCMD_INFLIGHT_PROBES	8
/* the series table's default size: one series per (handler, cmd_op) seen */
#define IOUCMD_SERIES_BITS	8
#define IOUCMD_SERIES_PROBES	4
#define IOUCMD_SERIES_OTHER	0	/* the series of commands that found the table full */
/* CPUs whose issue frames the verifier keeps (more: those CPUs' issues go unjudged) */
#define IOUCMD_MAX_CPUS		512
/* NONBLOCK issues in progress on one CPU at once (more than one: a preempted handler) */
#define IOUCMD_FRAME_DEPTH	4
#define IOUCMD_COMM_LEN		16
#define IOUCMD_STACK_DEPTH	32

/* log-linear histogram: 2^IOUCMD_HIST_SUB sub-buckets per power of two, in nanoseconds */
#define IOUCMD_HIST_SUB		3
#define IOUCMD_HIST_BUCKETS	(64 << IOUCMD_HIST_SUB)

enum ioucmd_lat {
	IOUCMD_LAT_HANDLER,	/* time inside ->uring_cmd of a command completed synchronously */
	IOUCMD_LAT_ISSUE_DONE,	/* issue to done() for queued commands */
	IOUCMD_LAT__COUNT,
};

/* counters of one series, per CPU (all members __u64: the loader sums them as an array) */
struct ioucmd_counters {
	__u64 issued;		/* handler calls, reissues and cancel calls included */
	__u64 queued;		/* -EIOCBQUEUED returns */
	__u64 sync_returns;	/* returns the core completes itself */
	__u64 eagain;		/* -EAGAIN returns */
	__u64 cancel_calls;	/* calls with IO_URING_F_CANCEL */
	__u64 done;		/* io_uring_cmd_done() calls */
	__u64 mark_cancelable;
	__u64 untracked;	/* events not judged: issue not seen, or a record busy too long */
	__u64 inflight_full;	/* queued commands not tracked: the in-flight table was full */
	__u64 cqes;		/* CQEs posted for IORING_OP_URING_CMD requests (with --cqes) */
	__u64 lost_events;	/* ring buffer full: violation or --events records dropped */
	__u64 violations[IOUCMD_RULE__COUNT];
};

/* what one CPU keeps of one series: one map lookup per event */
struct ioucmd_cell {
	struct ioucmd_counters c;
	__u64 hist[IOUCMD_LAT__COUNT][IOUCMD_HIST_BUCKETS];
};

/* a series: one (handler, cmd_op); ready is 0 free, 1 being claimed, 2 in use */
struct ioucmd_series {
	__u64 handler;		/* f_op->uring_cmd */
	__u32 cmd_op;
	__u32 ready;
};

#define IOUCMD_SERIES_READY	2

/*
 * One slot of the in-flight table (an array; see bpf/lives.bpf.h). A slot holds a command's
 * life from the issue that queued it (or a blocking issue's entry) until the same io_kiocb is
 * issued again or the slot is taken for another command: a finished life stays as a tombstone,
 * so that a completion after the end is still seen as one.
 */
struct ioucmd_inflight {
	__u64 key;		/* the command | IOUCMD_REC_LOCKED while held; 0 free */
	struct ioucmd_life life;
	__u64 user_data;
	__u64 task;		/* state IN_HANDLER: the task running the (blocking) issue */
	__u64 lost_ns;		/* the latest event that could not take this slot's lock */
	__u32 kflags;		/* the kernel's issue_flags of the latest issue, as passed */
	__u32 cmd_op;
	__u32 series;
	__u32 pid;		/* the submitter's process */
	__s32 first_done_stack;	/* stack of the first done(), for double completions (-1: none) */
	__u32 owner;		/* CPU + 1 of the lock holder (a nested event on it gives up) */
};

#define IOUCMD_REC_LOCKED	1ull

/*
 * The frame of a NONBLOCK issue (inline submission) on its CPU: IOUCMD_FRAME_DEPTH of them per
 * CPU, since a handler that faults on user memory may sleep and let another issue run there,
 * or move to another CPU before it returns. Global data of the BPF object (so the skeleton
 * shows it); user space does not read it.
 */
struct ioucmd_cpu_frame {
	__u64 cmd;		/* 0: a free frame */
	__u64 task;
	__u64 issue_ns;
	__u32 kflags;
	__u32 dirty;		/* done() or mark_cancelable() ran inside: life holds the issue */
	struct ioucmd_life life;
} __attribute__((aligned(128)));

enum ioucmd_event_kind {
	IOUCMD_EV_VIOLATION = 1,
	/* with --events, every step of every command's life (struct ioucmd_event too) */
	IOUCMD_EV_ISSUE,	/* handler entered: issue_flags */
	IOUCMD_EV_RETURN,	/* handler returned: res = its return value */
	IOUCMD_EV_DONE,		/* io_uring_cmd_done(): res, res2, flags_seen, frame */
	IOUCMD_EV_CQE,		/* io_uring_complete posted the CQE */
	IOUCMD_EV_SUBMIT,	/* io_uring_submit_req (tracepoint backend): the request entered */
};

/*
 * One event on the ring buffer. issue_flags and flags_seen leave the kernel as the kernel's own
 * enum io_uring_cmd_flags bits; the loader turns them into IOUCMD_F_* (loader/tracer.c) before
 * anyone reads them. flags_expected is canonical already.
 */
struct ioucmd_event {
	__u32 kind;		/* enum ioucmd_event_kind */
	__u32 rules;		/* IOUCMD_V() bits */
	__u64 ts_ns;
	__u64 cmd;		/* the io_uring_cmd pointer */
	__u64 user_data;
	__u64 res2;
	__u64 handler;		/* f_op->uring_cmd of the command's file */
	__u32 cmd_op;
	__u32 slot;		/* the series in the kernel; the loader's handler index after */
	__u32 pid;
	__u32 tid;
	char comm[IOUCMD_COMM_LEN];
	__u32 flags_seen;	/* flags passed (done / mark_cancelable) */
	__u32 flags_expected;	/* canonical locking bits expected, or IOUCMD_EXPECT_NONE */
	__u32 issue_flags;	/* flags of the issue */
	__u32 frame;		/* enum ioucmd_frame of the call */
	__s32 res;		/* done()'s res, or the handler's return */
	__u32 done_count;
	__u32 state;		/* enum ioucmd_state after the event */
	__u8 owns_uring_lock;
	__u8 atomic;
	__u8 ring_cqe32;
	__u8 pad;
	__s32 stack_id;		/* this event's kernel stack */
	__s32 first_stack_id;	/* the first completion's stack, for double completions */
	__u64 age_ns;		/* stalls: how long since the issue (or the cancel call) */
	__u32 marks;		/* IOUCMD_M_* of the life */
	__u32 pad2;
};

/* rodata: configuration the loader sets before load */
struct ioucmd_config {
	__u64 handler_addr[IOUCMD_MAX_HANDLERS];	/* -H/-d: f_op->uring_cmd values */
	__u32 nr_handlers;	/* 0: every handler */
	__u32 filter_pid;	/* 0: all; else only commands this process submitted */
	__u32 filter_cmd_op_set;	/* only commands whose cmd_op is filter_cmd_op */
	__u32 filter_cmd_op;
	char filter_comm[IOUCMD_COMM_LEN];	/* "": all; else the submitter's comm */
	__u32 kernel;		/* IOUCMD_K_* */
	__u32 events;		/* stream every command's life */
	__u32 preempt_bias;	/* preempt_count the probe itself adds (1 under kprobes) */
	__u32 first_stacks;	/* keep every first done()'s stack, for double completions (costly) */
	__u32 inflight_bits;	/* log2 of the in-flight table's entries */
	__u32 series_bits;	/* log2 of the series table's entries */
	__u32 nr_cpus;		/* possible CPUs, for the scan of issue frames */
	__u32 pad;
};

/* index of the highest set bit of v (v != 0); no clz instruction in BPF */
static inline __u32 ioucmd_msb(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static inline __u32 ioucmd_hist_bucket(__u64 v)
{
	__u32 msb, sub;

	if (v < (1u << IOUCMD_HIST_SUB))
		return (__u32)v;
	msb = ioucmd_msb(v);
	sub = (__u32)(v >> (msb - IOUCMD_HIST_SUB)) & ((1u << IOUCMD_HIST_SUB) - 1);
	return ((msb - IOUCMD_HIST_SUB + 1) << IOUCMD_HIST_SUB) | sub;
}

/* smallest value that falls in bucket b */
static inline __u64 ioucmd_hist_lower(__u32 b)
{
	__u32 hi = b >> IOUCMD_HIST_SUB, sub = b & ((1u << IOUCMD_HIST_SUB) - 1);

	if (hi == 0)
		return sub;
	return ((__u64)((1u << IOUCMD_HIST_SUB) | sub)) << (hi - 1);
}

/* the home slot of a key in a table of 2^bits entries (Fibonacci hashing) */
static inline __u32 ioucmd_home(__u64 key, __u32 bits)
{
	return (__u32)(((key >> 6) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

#endif /* IOUCMD_H */
