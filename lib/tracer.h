/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tracer: loads bpf/ioucmd.bpf.c, attaches it to handlers, collects what it judged. Its
 * backends' names are in names.h. */
#ifndef IOUCMD_TRACER_H
#define IOUCMD_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ioucmd.h"

struct tracer;
struct bpf_object;

enum tracer_backend {
	TRACER_AUTO,		/* fentry if the kernel allows it, else kprobes, else tracepoints */
	TRACER_FENTRY,		/* every rule: fentry/fexit on the dispatcher and completion */
	TRACER_KPROBE,		/* the same rules through kprobe/kretprobe, for kernels without fentry */
	TRACER_TRACEPOINT,	/* io_uring tracepoints only: CQE-level checks and latency */
	TRACER__BACKENDS,
};

struct tracer_opts {
	/* narrow to these ->uring_cmd functions (e.g. ioucmd_ref_uring_cmd); none: every one */
	const char *handlers[IOUCMD_MAX_HANDLERS];
	int nr_handlers;
	/* -p, -c, --comm: only commands of this process, cmd_op, submitter comm */
	uint32_t filter_pid;
	bool filter_cmd_op_set;
	uint32_t filter_cmd_op;
	char filter_comm[IOUCMD_COMM_LEN];
	uint64_t stall_timeout_ns;
	enum tracer_backend backend;
	bool events;		/* stream every command's life to on_life (--events) */
	bool first_stacks;	/* keep each first done()'s stack for double completions */
	/* count the CQEs of IORING_OP_URING_CMD requests (one more probe, on every CQE) */
	bool cqes;
	unsigned int inflight_bits;	/* log2 of in-flight table entries (0: the default) */
	/* called for each violation as it arrives; may be NULL */
	void (*on_violation)(void *arg, const struct ioucmd_event *e);
	/* called for each step of a command's life with events set; may be NULL */
	void (*on_life)(void *arg, const struct ioucmd_event *e);
	void *arg;
};

/* what the kernel lets us check, read once from its BTF at start-up (by names, not versions) */
struct tracer_features {
	char done_func[64];	/* io_uring_cmd_done or __io_uring_cmd_done */
	bool has_mark_cancelable;
	bool has_cancel_loop;	/* io_uring_try_cancel_uring_cmd: ring exit cancels (6.7+) */
	bool has_core_cast;	/* the bpf_rdonly_cast kfunc (6.2+) */
	bool has_complete_tp;
	bool has_submit_req_tp;	/* 6.12+; 6.1 has io_uring_submit_sqe */
	uint32_t kernel;	/* IOUCMD_K_* */
	/* this kernel's value of each IOUCMD_F_* flag (enum io_uring_cmd_flags), 0: none */
	uint32_t flag_values[IOUCMD_F__COUNT];
	uint64_t req_f_nowait;	/* REQ_F_NOWAIT */
};

/* Loads and attaches. On failure returns NULL with a sentence in err that says what to do. */
struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen);
const struct tracer_features *tracer_features(const struct tracer *t);
enum tracer_backend tracer_backend(const struct tracer *t);
/* the CQEs of uring_cmd requests are counted (--cqes, --events, or the tracepoint backend) */
bool tracer_counts_cqes(const struct tracer *t);
/* what a latency histogram kind measures with this backend: handler, issue_to_done, ... */
const char *tracer_lat_name(const struct tracer *t, int kind);
/* with TRACER_AUTO: why fentry was not used ("" if it was) */
const char *tracer_fallback_why(const struct tracer *t);
/* Polls the event ring for up to timeout_ms; returns events handled or -errno. */
int tracer_poll(struct tracer *t, int timeout_ms);
/*
 * Handlers are numbered in the order the trace knows them: those asked for (-H, -d) first,
 * then every other one that carried traffic, as it is seen. The number of handlers grows while
 * tracing; slots never move.
 */
/* Sums the per-CPU counters of one handler slot. */
int tracer_counters(struct tracer *t, int slot, struct ioucmd_counters *out);
/* Kernel return addresses of a stack id from an event; returns how many (0: none). */
int tracer_stack(struct tracer *t, int32_t id, uint64_t *ips, int max);
/* Sums one latency histogram (slot, op index, kind) over CPUs into out[IOUCMD_HIST_BUCKETS]. */
int tracer_hist(struct tracer *t, int slot, int op_idx, int kind, uint64_t *out);
/* cmd_op value behind an op index of a slot; false if the index is unused. */
bool tracer_op(struct tracer *t, int slot, int op_idx, uint32_t *cmd_op);
/* Judges commands still in flight: stalls now (final=false) or at the end of a trace (true). */
int tracer_sweep(struct tracer *t, bool final);
const char *tracer_handler(const struct tracer *t, int slot);
/* the loaded BPF object, for per-program statistics and map sizes */
const struct bpf_object *tracer_object(const struct tracer *t);
int tracer_nr_handlers(const struct tracer *t);
/*
 * Intervals: MARK begins one (what every count and histogram is now); VIEW makes
 * tracer_counters() and tracer_hist() answer for the interval only, as of the VIEW call (a
 * frozen snapshot, where the MARK after it begins the next interval, so that consecutive
 * intervals add up to the whole trace exactly); WHOLE answers for the whole trace again (the
 * default). A handler first seen during the interval has all its counts in it.
 */
enum tracer_interval { TRACER_INTERVAL_MARK, TRACER_INTERVAL_VIEW, TRACER_INTERVAL_WHOLE };
int tracer_interval(struct tracer *t, enum tracer_interval what);
void tracer_close(struct tracer *t);
/*
 * tracer_close() that returns within timeout_ns: detaching waits for the kernel (an RCU grace
 * period), which a kernel wedged by the traced bug never gives. A child process detaches; this
 * one waits for it that long, then returns -ETIMEDOUT (the child is left waiting). t is freed
 * either way.
 */
int tracer_detach(struct tracer *t, uint64_t timeout_ns);
#define TRACER_DETACH_TIMEOUT_NS	(10 * 1000000000ull)
/* the kernel's issue_flags bits as canonical IOUCMD_F_* bits */
uint32_t tracer_canon_flags(const struct tracer *t, uint32_t kflags);

#endif /* IOUCMD_TRACER_H */
