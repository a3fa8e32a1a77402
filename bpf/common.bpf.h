/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and helpers both BPF backends share (ioucmd.bpf.c: fentry/kprobe; ioucmd_tp.bpf.c:
 * tracepoints), so the loader reads their counters and histograms alike.
 */
#ifndef IOUCMD_COMMON_BPF_H
#define IOUCMD_COMMON_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "ioucmd.h"

const volatile struct ioucmd_config cfg = {};

struct hist {
	__u64 b[IOUCMD_HIST_BUCKETS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOUCMD_MAX_HANDLERS);
	__type(key, __u32);
	__type(value, struct ioucmd_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOUCMD_MAX_HANDLERS * IOUCMD_MAX_OPS * IOUCMD_LAT__COUNT);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

/* cmd_op values seen per handler, (1 << 32 | cmd_op) per slot, 0 = free */
struct op_table {
	__u64 ops[IOUCMD_MAX_HANDLERS * IOUCMD_MAX_OPS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct op_table);
} op_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* --comm: comm is the one asked for (cfg.filter_comm, NUL-terminated) */
static __always_inline bool comm_wanted(const char *comm)
{
	int i;

	for (i = 0; i < IOUCMD_COMM_LEN; i++) {
		if (comm[i] != cfg.filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline struct ioucmd_counters *counters_of(__u32 slot)
{
	return bpf_map_lookup_elem(&counters, &slot);
}

/* a small array scan, not a hash: the op index keys the per-CPU histograms */
static __always_inline __u32 op_index(__u32 slot, __u32 cmd_op)
{
	__u32 zero = 0, i;
	__u64 want = (1ULL << 32) | cmd_op;
	struct op_table *t = bpf_map_lookup_elem(&op_table, &zero);

	if (!t || slot >= IOUCMD_MAX_HANDLERS)
		return IOUCMD_OP_OTHER;
	for (i = 0; i < IOUCMD_OP_OTHER; i++) {
		__u64 *e = &t->ops[slot * IOUCMD_MAX_OPS + i];
		__u64 cur = *e;

		if (cur == want)
			return i;
		if (cur == 0) {
			cur = __sync_val_compare_and_swap(e, 0, want);
			if (cur == 0 || cur == want)
				return i;
		}
	}
	return IOUCMD_OP_OTHER;
}

static __always_inline void hist_add(__u32 slot, __u32 op_idx, __u32 kind, __u64 ns)
{
	__u32 key = (slot * IOUCMD_MAX_OPS + op_idx) * IOUCMD_LAT__COUNT + kind;
	struct hist *h = bpf_map_lookup_elem(&hists, &key);
	__u32 b = ioucmd_hist_bucket(ns);

	if (h && b < IOUCMD_HIST_BUCKETS)
		h->b[b]++;
}

/* which traced handler fn (a file's f_op->uring_cmd) is, or -1 */
static __always_inline int slot_of_fn(__u64 fn)
{
	int i;

	for (i = 0; i < IOUCMD_MAX_HANDLERS; i++) {
		if (i >= cfg.nr_handlers)
			break;
		if (cfg.handler_addr[i] == fn)
			return i;
	}
	return -1;
}

static __always_inline int slot_of_file(struct file *file)
{
	return slot_of_fn((__u64)BPF_CORE_READ(file, f_op, uring_cmd));
}

/* the common part of a violation event */
static __always_inline void event_fill(struct ioucmd_event *e, __u32 rules, __u64 cmd,
				       __u32 cmd_op, __u32 slot)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	__builtin_memset(e, 0, sizeof(*e));
	e->kind = IOUCMD_EV_VIOLATION;
	e->rules = rules;
	e->ts_ns = bpf_ktime_get_ns();
	e->cmd = cmd;
	e->cmd_op = cmd_op;
	e->slot = slot;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->stack_id = -1;
	e->first_stack_id = -1;
	/*
	 * Survives a panic or a hang: ftrace_dump_on_oops prints the trace buffer on the console,
	 * and vm/ guests copy trace_pipe there as it comes. One line per rule, by its report name.
	 */
#define PRINT_RULE(suffix, name)							\
	if (rules & IOUCMD_V(IOUCMD_RULE_##suffix))					\
		bpf_printk("ioucmd: violation " #name " cmd=%llx cmd_op=%x", cmd, cmd_op);
	IOUCMD_FOR_EACH_RULE(PRINT_RULE)
#undef PRINT_RULE
}

/* --events: one step of a command's life; off (and verified away) unless cfg.events */
static __always_inline void life_event(__u32 kind, __u64 cmd, __u64 user_data, __u32 cmd_op,
				       __u32 slot, __s32 res, __u32 flags)
{
	struct ioucmd_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct ioucmd_counters *c;

	if (!e) {
		c = counters_of(slot);
		if (c)
			c->lost_events++;
		return;
	}
	event_fill(e, 0, cmd, cmd_op, slot);
	e->kind = kind;
	e->user_data = user_data;
	e->res = res;
	e->flags_seen = flags;
	bpf_ringbuf_submit(e, 0);
}

/* the arguments are not even computed unless --events: rodata is constant to the verifier */
#define LIFE_EVENT(...)				\
	do {					\
		if (cfg.events)			\
			life_event(__VA_ARGS__);	\
	} while (0)

#endif /* IOUCMD_COMMON_BPF_H */
