// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracepoint-only backend, for kernels where fentry and kprobes are not to be had: what
 * io_uring's own tracepoints can show about uring_cmds. Each IORING_OP_URING_CMD submission is
 * paired with its CQE (io_uring_complete carries the same io_kiocb pointer); the handler is
 * known at the CQE, from req->file->f_op->uring_cmd. A second CQE for one submission is a
 * double completion; inside-the-driver rules (issue_flags, -EAGAIN, res2) are not visible here.
 * Same series, cells and events as ioucmd.bpf.c, so the loader reads both alike.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

enum { TP_SUBMITTED = 1, TP_COMPLETED };

/*
 * One submission, from its submit event to its CQE, in an open-addressed array keyed by the
 * request (the key word is written last, so a reader that sees the key sees the rest). A
 * completed entry stays until the same io_kiocb is submitted again or the slot is needed.
 */
struct tp_life {
	__u64 req;
	__u64 submit_ns;
	__u64 user_data;
	__u32 cmd_op;
	__u32 state;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IOUCMD_INFLIGHT_MAX);
	__type(key, __u32);
	__type(value, struct tp_life);
} tp_lives SEC(".maps");

static __always_inline struct tp_life *tp_slot(__u32 home, __u32 i)
{
	__u32 idx = (home + i) & ((1u << cfg.inflight_bits) - 1);

	return bpf_map_lookup_elem(&tp_lives, &idx);
}

static __always_inline int on_submit(__u64 key, struct io_kiocb *req)
{
	__u32 home = ioucmd_home(key, cfg.inflight_bits), cmd_op;
	struct tp_life *l, *victim = NULL;
	char comm[IOUCMD_COMM_LEN];
	__u64 now;
	int i;

	if (!ioucmd_is_uring_cmd_op(req->opcode))
		return 0;
	cmd_op = ((struct io_uring_cmd *)req)->cmd_op;
	/* submit_req runs in the submitter: the filters are about the current task */
	if (cfg.filter_cmd_op_set && cmd_op != cfg.filter_cmd_op)
		return 0;
	if (cfg.filter_pid && (bpf_get_current_pid_tgid() >> 32) != cfg.filter_pid)
		return 0;
	if (cfg.filter_comm[0]) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_wanted(comm))
			return 0;
	}
	now = bpf_ktime_get_ns();
	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		l = tp_slot(home, i);
		if (!l)
			return 0;
		if (l->req == key) {
			victim = l;	/* the io_kiocb's own last life */
			break;
		}
		if (!victim && (!l->req || l->state == TP_COMPLETED))
			victim = l;
	}
	if (!victim)
		return 0;	/* every slot in flight: this command is not timed */
	victim->req = 0;
	victim->submit_ns = now;
	victim->user_data = req->cqe.user_data;
	victim->cmd_op = cmd_op;
	victim->state = TP_SUBMITTED;
	__sync_lock_test_and_set(&victim->req, key);
	LIFE_EVENT(IOUCMD_EV_SUBMIT, key, 0, cmd_op, 0, victim->user_data, 0, 0);
	return 0;
}

/* 6.1 names the submit event io_uring_submit_sqe(req, force_nonblock); 6.12+ submit_req(req) */
/*
 * The request's address as a number, to hash: a tracepoint program may not shift a pointer,
 * and has no bpf_get_func_arg(), so it reads its own first argument back.
 */
static __always_inline __u64 arg0(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return v;
}

SEC("?tp_btf/io_uring_submit_req")
int BPF_PROG(tp_submit_req, struct io_kiocb *req)
{
	return on_submit(arg0(ctx), req);
}

SEC("?tp_btf/io_uring_submit_sqe")
int BPF_PROG(tp_submit_sqe, struct io_kiocb *req)
{
	return on_submit(arg0(ctx), req);
}

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(tp_complete, void *ring, void *req_arg)
{
	__u64 key = (__u64)req_arg, fn;
	__u32 home = ioucmd_home(key, cfg.inflight_bits), series_idx;
	struct io_kiocb *req = req_arg;
	struct ioucmd_event *e;
	struct ioucmd_cell *c;
	struct tp_life *l = NULL;
	int i;

	/*
	 * Only a uring_cmd's CQE: io_kiocbs come from one slab for every ring, so a read of another
	 * process may complete in the io_kiocb a traced command left, and would pass for a second
	 * CQE of it.
	 */
	if (!req || !ioucmd_is_uring_cmd_op(BPF_CORE_READ(req, opcode)))
		return 0;
	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		l = tp_slot(home, i);
		if (!l)
			return 0;
		if (l->req == key)
			break;
		l = NULL;
	}
	/* not a uring_cmd submission we saw (one submitted before the trace began reuses a slot) */
	if (!l || l->user_data != ioucmd_req_user_data(req, false))
		return 0;
	fn = ioucmd_req_handler(req, false);
	if (!handler_wanted(fn))
		return 0;
	series_idx = series_of(fn, l->cmd_op);
	c = cell_of(series_idx);
	if (!c)
		return 0;
	c->c.cqes++;
	if (__sync_val_compare_and_swap(&l->state, TP_SUBMITTED, TP_COMPLETED) == TP_SUBMITTED) {
		c->c.issued++;
		hist_add(c, IOUCMD_LAT_ISSUE_DONE, bpf_ktime_get_ns() - l->submit_ns);
		LIFE_EVENT(IOUCMD_EV_CQE, key, fn, l->cmd_op, series_idx, l->user_data, 0, 0);
		return 0;
	}
	/* a second CQE for one submission */
	c->c.violations[IOUCMD_RULE_DOUBLE_COMPLETION]++;
	e = event_new(IOUCMD_EV_VIOLATION, IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION), key, fn,
		      l->cmd_op, series_idx);
	if (!e)
		return 0;
	e->user_data = l->user_data;
	e->done_count = 2;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
