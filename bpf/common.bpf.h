/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and helpers both BPF backends share (ioucmd.bpf.c: fentry/kprobe; ioucmd_tp.bpf.c:
 * tracepoints), so that the loader reads their counters and histograms alike: the series
 * table, the per-CPU cells, the event ring and the filters.
 */
#ifndef IOUCMD_COMMON_BPF_H
#define IOUCMD_COMMON_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "ioucmd.h"

const volatile struct ioucmd_config cfg = {
	.inflight_bits = IOUCMD_INFLIGHT_BITS,
	.series_bits = IOUCMD_SERIES_BITS,
};

/* one entry per (handler, cmd_op) seen; the loader sizes it (cfg.series_bits) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << IOUCMD_SERIES_BITS);
	__type(key, __u32);
	__type(value, struct ioucmd_series);
} series SEC(".maps");

/* the counters and histograms of each series, per CPU, as large as the series table */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << IOUCMD_SERIES_BITS);
	__type(key, __u32);
	__type(value, struct ioucmd_cell);
} cells SEC(".maps");

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

/* -H / -d: is fn one of the handlers asked for? Compiled away when none were. */
static __always_inline bool handler_wanted(__u64 fn)
{
	int i;

	if (!fn)
		return false;	/* a file without ->uring_cmd: the core fails it before any handler */
	if (!cfg.nr_handlers)
		return true;
	for (i = 0; i < IOUCMD_MAX_HANDLERS; i++) {
		if (i >= cfg.nr_handlers)
			break;
		if (cfg.handler_addr[i] == fn)
			return true;
	}
	return false;
}

/*
 * The series of (fn, cmd_op), claimed on first sight. Two CPUs that see a new pair at once
 * may claim two entries for it: the loader adds up entries with the same key. A full window
 * gives IOUCMD_SERIES_OTHER. Global (not inlined): the verifier checks it once.
 */
__noinline __u32 series_of(__u64 fn, __u32 cmd_op)
{
	__u32 mask = (1u << cfg.series_bits) - 1, home, idx;
	struct ioucmd_series *s;
	int i;

	home = ioucmd_home(fn + (__u64)cmd_op * 0x100000001ull, cfg.series_bits);
	for (i = 0; i < IOUCMD_SERIES_PROBES; i++) {
		idx = (home + i) & mask;
		if (idx == IOUCMD_SERIES_OTHER)
			continue;
		s = bpf_map_lookup_elem(&series, &idx);
		if (!s)
			break;
		if (s->ready == IOUCMD_SERIES_READY) {
			if (s->handler == fn && s->cmd_op == cmd_op)
				return idx;
			continue;
		}
		if (s->ready || __sync_val_compare_and_swap(&s->ready, 0, 1))
			continue;
		s->handler = fn;
		s->cmd_op = cmd_op;
		__sync_lock_test_and_set(&s->ready, IOUCMD_SERIES_READY);
		return idx;
	}
	return IOUCMD_SERIES_OTHER;
}

static __always_inline struct ioucmd_cell *cell_of(__u32 series_idx)
{
	return bpf_map_lookup_elem(&cells, &series_idx);
}

static __always_inline void hist_add(struct ioucmd_cell *c, __u32 kind, __u64 ns)
{
	__u32 b = ioucmd_hist_bucket(ns);

	if (kind < IOUCMD_LAT__COUNT && b < IOUCMD_HIST_BUCKETS)
		c->hist[kind][b]++;
}

static __always_inline void count_violations(struct ioucmd_cell *c, __u32 v)
{
	int r;

	for (r = 0; r < IOUCMD_RULE__COUNT; r++)
		if (v & IOUCMD_V(r))
			c->c.violations[r]++;
}

/*
 * A record on the event ring, its common part filled; NULL when the ring is full, which is
 * counted on the series as a lost event. Violations are also printed (bpf_printk): they survive
 * a panic or a hang, since ftrace_dump_on_oops prints the trace buffer on the console and the
 * vm/ guests boot with tp_printk. One line per rule, by its report name.
 */
static __always_inline struct ioucmd_event *event_new(__u32 kind, __u32 rules, __u64 cmd,
						      __u64 fn, __u32 cmd_op, __u32 series_idx)
{
	struct ioucmd_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ioucmd_cell *c;

#define PRINT_RULE(suffix, name)							\
	if (rules & IOUCMD_V(IOUCMD_RULE_##suffix))					\
		bpf_printk("ioucmd: violation " #name " cmd=%llx cmd_op=%x", cmd, cmd_op);
	IOUCMD_FOR_EACH_RULE(PRINT_RULE)
#undef PRINT_RULE
	if (!e) {
		c = cell_of(series_idx);
		if (c)
			c->c.lost_events++;
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->rules = rules;
	e->ts_ns = bpf_ktime_get_ns();
	e->cmd = cmd;
	e->handler = fn;
	e->cmd_op = cmd_op;
	e->slot = series_idx;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->stack_id = -1;
	e->first_stack_id = -1;
	return e;
}

/* --events: one step of a command's life; the arguments are not even computed without it */
static __always_inline void life_event(__u32 kind, __u64 cmd, __u64 fn, __u32 cmd_op,
				       __u32 series_idx, __u64 user_data, __s32 res, __u32 flags)
{
	struct ioucmd_event *e = event_new(kind, 0, cmd, fn, cmd_op, series_idx);

	if (!e)
		return;
	e->user_data = user_data;
	e->res = res;
	e->flags_seen = flags;
	e->issue_flags = flags;
	bpf_ringbuf_submit(e, 0);
}

#define LIFE_EVENT(...)				\
	do {					\
		if (cfg.events)			\
			life_event(__VA_ARGS__);	\
	} while (0)

#endif /* IOUCMD_COMMON_BPF_H */
