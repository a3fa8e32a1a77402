/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What crosses between the BPF program (bpf/ioucmd.bpf.c) and the loader (loader/): map value
 * layouts, the violation event and the latency histogram geometry. The one definition of each.
 */
#ifndef IOUCMD_TRACE_H
#define IOUCMD_TRACE_H

#include "cmd_state.h"

#define IOUCMD_MAX_HANDLERS	8	/* traced ->uring_cmd handlers, one slot each */
#define IOUCMD_MAX_OPS		16	/* distinct cmd_op values per handler; the last is "other" */
#define IOUCMD_OP_OTHER		(IOUCMD_MAX_OPS - 1)
#define IOUCMD_INFLIGHT_MAX	16384	/* queued commands tracked at once (preallocated) */
#define IOUCMD_COMM_LEN		16
#define IOUCMD_STACK_DEPTH	32

/* log-linear histogram: 2^IOUCMD_HIST_SUB sub-buckets per power of two, in nanoseconds */
#define IOUCMD_HIST_SUB		3
#define IOUCMD_HIST_BUCKETS	(64 << IOUCMD_HIST_SUB)

enum ioucmd_lat {
	IOUCMD_LAT_HANDLER,	/* time inside ->uring_cmd (the whole life of a sync command) */
	IOUCMD_LAT_ISSUE_DONE,	/* issue to done() for queued commands */
	IOUCMD_LAT__COUNT,
};

/* per-CPU counters, one element per handler slot */
struct ioucmd_counters {
	__u64 issued;		/* handler calls, reissues and cancel calls included */
	__u64 queued;		/* -EIOCBQUEUED returns */
	__u64 sync_returns;	/* returns the core completes itself */
	__u64 eagain;		/* -EAGAIN returns */
	__u64 cancel_calls;	/* calls with IO_URING_F_CANCEL */
	__u64 done;		/* io_uring_cmd_done() calls */
	__u64 mark_cancelable;
	__u64 tw_queued;	/* punts to task work */
	__u64 untracked;	/* done() for a command whose issue was not seen, or map full */
	__u64 inflight_full;	/* queued commands not tracked: the in-flight map was full */
	__u64 cqes;		/* CQEs posted for this handler's commands (io_uring_complete) */
	__u64 lost_events;	/* ring buffer full: violation or --events records dropped */
	__u64 violations[IOUCMD_RULE__COUNT];
};

/* the value of the in-flight map, keyed by the io_uring_cmd (== io_kiocb) pointer */
struct ioucmd_inflight {
	struct ioucmd_life life;
	__u64 key;		/* the command, again: elements are recycled (bpf/rec_lock.bpf.h) */
	__u64 user_data;
	__u32 cmd_op;
	__u32 slot;		/* handler slot */
	__u32 pid;
	__u32 op_idx;
	char comm[IOUCMD_COMM_LEN];
	__s32 first_done_stack; /* stack of the first done(), for double completions (-1: none) */
	__u32 lock;		/* last: bpf/rec_lock.bpf.h; 0 = free, else the holder's CPU + 1 */
};

enum ioucmd_event_kind {
	IOUCMD_EV_VIOLATION = 1,
	/* with --events, every step of every command's life (struct ioucmd_event too) */
	IOUCMD_EV_ISSUE,	/* handler entered: issue_flags */
	IOUCMD_EV_RETURN,	/* handler returned: res = its return value */
	IOUCMD_EV_DONE,		/* io_uring_cmd_done(): res, res2, flags_seen, frame */
	IOUCMD_EV_CQE,		/* io_uring_complete posted the CQE */
};

/* one violation, sent on the ring buffer the moment it is detected */
struct ioucmd_event {
	__u32 kind;		/* enum ioucmd_event_kind */
	__u32 rules;		/* IOUCMD_V() bits */
	__u64 ts_ns;
	__u64 cmd;		/* the io_uring_cmd pointer */
	__u64 user_data;
	__u64 res2;
	__u32 cmd_op;
	__u32 slot;
	__u32 pid;
	__u32 tid;
	char comm[IOUCMD_COMM_LEN];
	__u32 flags_seen;	/* canonical flags passed (done / mark_cancelable) */
	__u32 flags_expected;	/* canonical locking bits expected, or IOUCMD_EXPECT_NONE */
	__u32 issue_flags;	/* canonical flags of the issue */
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
	__u64 handler_addr[IOUCMD_MAX_HANDLERS];	/* f_op->uring_cmd values, for done() filtering */
	__u32 nr_handlers;
	__u32 filter_pid;	/* 0: all; else only commands this process submitted */
	__u32 filter_cmd_op_set;	/* only commands whose cmd_op is filter_cmd_op */
	__u32 filter_cmd_op;
	char filter_comm[IOUCMD_COMM_LEN];	/* "": all; else the submitter's comm */
	__u32 kernel;		/* IOUCMD_K_* */
	__u32 events;		/* stream every command's life (not yet used) */
	__u32 preempt_bias;	/* preempt_count the probe itself adds (1 under kprobes) */
	__u32 first_stacks;	/* keep every first done()'s stack, for double completions (costly) */
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

#endif /* IOUCMD_TRACE_H */
