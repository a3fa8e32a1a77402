// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracepoint-only backend, for kernels where fentry and kprobes are not to be had: what
 * io_uring's own tracepoints can show about uring_cmds. Each IORING_OP_URING_CMD submission is
 * paired with its CQE (io_uring_complete carries the same io_kiocb pointer); the handler is
 * known from req->file->f_op->uring_cmd. A second CQE for one submission is a double
 * completion; inside-the-driver rules (issue_flags, -EAGAIN, res2) are not visible here.
 * Same map layouts as ioucmd.bpf.c, so the loader reads both alike.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define IORING_OP_URING_CMD_NR 46	/* UAPI, stable */

enum { TP_SUBMITTED = 1, TP_COMPLETED };

struct tp_life {
	__u64 submit_ns;
	__u64 user_data;
	__u32 slot;
	__u32 state;
	__u32 cmd_op;
	__u32 op_idx;
};

/* io_kiocbs are recycled: completed lives stay until the next submission reuses the slot */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IOUCMD_INFLIGHT_MAX);
	__type(key, __u64);
	__type(value, struct tp_life);
} lives SEC(".maps");


static __always_inline int on_submit(struct io_kiocb *req)
{
	struct io_uring_cmd *cmd = (struct io_uring_cmd *)req;
	struct tp_life life = {};
	__u64 key = (__u64)req;

	/* req->file is assigned at issue, after this event: the handler is resolved at the CQE */
	if (BPF_CORE_READ(req, opcode) != IORING_OP_URING_CMD_NR)
		return 0;
	/* submit_req runs in the submitter: the filters are about the current task */
	if (cfg.filter_pid && (bpf_get_current_pid_tgid() >> 32) != cfg.filter_pid)
		return 0;
	if (cfg.filter_cmd_op_set && BPF_CORE_READ(cmd, cmd_op) != cfg.filter_cmd_op)
		return 0;
	if (cfg.filter_comm[0]) {
		char comm[IOUCMD_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_wanted(comm))
			return 0;
	}
	life.submit_ns = bpf_ktime_get_ns();
	life.user_data = BPF_CORE_READ(req, cqe.user_data);
	life.state = TP_SUBMITTED;
	life.cmd_op = BPF_CORE_READ(cmd, cmd_op);
	bpf_map_update_elem(&lives, &key, &life, BPF_ANY);
	return 0;
}

/* 6.1 names the submit event io_uring_submit_sqe(req, force_nonblock); 6.12+ submit_req(req) */
SEC("?tp_btf/io_uring_submit_req")
int BPF_PROG(tp_submit_req, struct io_kiocb *req)
{
	return on_submit(req);
}

SEC("?tp_btf/io_uring_submit_sqe")
int BPF_PROG(tp_submit_sqe, struct io_kiocb *req)
{
	return on_submit(req);
}

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(tp_complete, void *ring, struct io_kiocb *req)
{
	struct ioucmd_counters *c;
	struct ioucmd_event *e;
	struct tp_life *life;
	__u64 key = (__u64)req;
	int slot;
	__u32 s;

	if (!req)
		return 0;
	life = bpf_map_lookup_elem(&lives, &key);
	if (!life)
		return 0;
	if (life->state == TP_SUBMITTED) {
		slot = slot_of_file(BPF_CORE_READ(req, file));
		if (slot < 0) {
			bpf_map_delete_elem(&lives, &key);	/* a handler we do not trace */
			return 0;
		}
		s = slot;
		c = counters_of(s);
		if (!c)
			return 0;
		life->slot = s;
		life->op_idx = op_index(s, life->cmd_op);
		hist_add(s, life->op_idx, IOUCMD_LAT_ISSUE_DONE, bpf_ktime_get_ns() - life->submit_ns);
		c->issued++;
		c->cqes++;
		life->state = TP_COMPLETED;
		return 0;
	}
	s = life->slot;
	c = counters_of(s);
	if (!c)
		return 0;
	/* a second CQE for one submission */
	c->cqes++;
	c->violations[IOUCMD_RULE_DOUBLE_COMPLETION]++;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	event_fill(e, IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION), key, life->cmd_op, s);
	e->user_data = life->user_data;
	e->done_count = 2;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
