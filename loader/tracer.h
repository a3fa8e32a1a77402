/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tracer: loads bpf/ioucmd.bpf.c, attaches it to handlers, collects what it judged. */
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
	TRACER_FENTRY,		/* every rule: fentry/fexit on handlers and completion */
	TRACER_KPROBE,		/* the same rules through kprobe/kretprobe, for kernels without fentry */
	TRACER_TRACEPOINT,	/* io_uring tracepoints only: CQE-level checks and latency */
};

struct tracer_opts {
	const char *handlers[IOUCMD_MAX_HANDLERS];	/* function names, e.g. ioucmd_ref_uring_cmd */
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
	/* called for each violation as it arrives; may be NULL */
	void (*on_violation)(void *arg, const struct ioucmd_event *e);
	/* called for each step of a command's life with events set; may be NULL */
	void (*on_life)(void *arg, const struct ioucmd_event *e);
	void *arg;
};

/* what the kernel lets us check, found once at start-up (retsnoop-style calibration) */
struct tracer_features {
	char done_func[64];	/* io_uring_cmd_done or __io_uring_cmd_done */
	bool has_mark_cancelable;
	bool has_do_in_task;		/* the task-work punt can be traced: tw_queue_func */
	char tw_queue_func[48];
	bool has_cmd_work;	/* a task-work runner we can frame (6.1 .. 6.18) */
	bool has_complete_tp;
	bool has_submit_req_tp;	/* 6.12+; 6.1 has io_uring_submit_sqe */
	uint32_t kernel;	/* IOUCMD_K_* */
};

/* Loads and attaches. On failure returns NULL with a sentence in err that says what to do. */
struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen);
const struct tracer_features *tracer_features(const struct tracer *t);
enum tracer_backend tracer_backend(const struct tracer *t);
/* what a latency histogram kind measures with this backend: handler, issue_to_done, ... */
const char *tracer_lat_name(const struct tracer *t, int kind);
const char *tracer_backend_name(enum tracer_backend b);
/* with TRACER_AUTO: why fentry was not used ("" if it was) */
const char *tracer_fallback_why(const struct tracer *t);
/* Polls the event ring for up to timeout_ms; returns events handled or -errno. */
int tracer_poll(struct tracer *t, int timeout_ms);
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
void tracer_close(struct tracer *t);

const char *ioucmd_rule_name(int rule);
/* decodes canonical IOUCMD_F_* bits, "COMPLETE_DEFER|NONBLOCK" */
const char *ioucmd_flags_str(uint32_t flags, char *buf, size_t len);

#endif /* IOUCMD_TRACER_H */
