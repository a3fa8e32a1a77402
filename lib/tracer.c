// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracer's life, in libbpf-tools shape: probe what the kernel has, open the skeleton, set
 * rodata and map sizes, choose programs, load, attach, poll, destroy.
 *
 * The BPF side keeps its counters and histograms per series, one (handler, cmd_op) pair each,
 * claimed as the kernel sees them (bpf/common.bpf.h). This file turns the series table into
 * what the reports speak of: handler slots, each with its cmd_ops.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "clock.h"
#include "ksyms.h"
#include "names.h"
#include "util.h"
#include "tracer.h"	/* before the skeleton: it names struct ioucmd_config */
#include "ioucmd.skel.h"
#include "ioucmd_tp.skel.h"

/* one handler as the reports see it: its series, grouped by cmd_op */
struct view_handler {
	uint64_t addr;
	char name[128];
	int nr_ops;
	/* judged in user space by tracer_sweep(): stalls and unanswered cancels */
	uint64_t swept[IOUCMD_RULE__COUNT], swept_untracked;
	struct view_op {
		uint32_t cmd_op;	/* UINT32_MAX for the row of the rest (IOUCMD_OP_OTHER) */
		int nr_series;		/* one, or more: two CPUs claimed one key, or the rest */
	} ops[IOUCMD_MAX_OPS];
};

struct tracer {
	struct ioucmd_bpf *skel;	/* fentry and kprobe backends */
	struct ioucmd_tp_bpf *tp;	/* tracepoint backend */
	enum tracer_backend backend;
	char fallback_why[1024];		/* why auto did not get fentry */
	int cells_fd, stacks_fd, events_fd, early_fd;
	struct bpf_link *links[16];	/* kprobes, attached by hand */
	int nr_links;
	struct ring_buffer *rb;
	struct tracer_opts opts;
	struct tracer_features feat;
	int nr_cpus;
	unsigned int inflight_bits, series_bits;
	uint64_t handler_addrs[IOUCMD_MAX_HANDLERS];	/* of opts.handlers */
	/* the series and in-flight tables, mapped read-only */
	const struct ioucmd_series *series;
	size_t series_len;
	const struct ioucmd_inflight *lives;
	size_t lives_len;
	/* the handlers the reports know, in the order they were first seen */
	struct view_handler *view;
	int nr_view, cap_view;
	int32_t *series_slot;	/* series index -> handler slot (-1: not yet placed) */
	int16_t *series_op;	/* series index -> op index in its slot */
	struct ksyms *ksyms;
	bool ksyms_failed;
	/*
	 * tracer_interval(): each series' cells (and each handler's swept counts) when the interval
	 * began, subtracted while interval_view is on
	 */
	struct ioucmd_cell *base;
	/*
	 * the cells as VIEW froze them: what an interval prints, and where the next one begins,
	 * so that a command counted between the print and the MARK is in one interval exactly
	 */
	struct ioucmd_cell *snap;
	bool snap_valid;
	size_t nr_base_swept;
	struct ioucmd_counters *base_swept;
	bool interval_view;
	/* a program skipped an event (nested on its own CPU): lives before then are unjudged */
	uint64_t recursion_misses, miss_ns;
	/*
	 * lives the sweep reported, so that the next sweep does not report them again: kept here,
	 * not written back to the table, which only the programs write
	 */
	struct swept_life {
		uint64_t key, issue_ns;
		uint32_t rules;
	} *reported;
	size_t nr_reported, cap_reported;
};

uint32_t tracer_canon_flags(const struct tracer *t, uint32_t kflags)
{
	uint32_t c = 0;

	for (int i = 0; i < IOUCMD_F__COUNT; i++)
		if (t->feat.flag_values[i] && (kflags & t->feat.flag_values[i]))
			c |= 1u << i;
	return c;
}

static bool btf_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/*
 * The values of the enumerators named names[0..n) (in any enum, named or not), in one pass over
 * the BTF: found[i] tells which were there.
 */
static void btf_enum_values(const struct btf *btf, const char *const *names, int n,
			    int64_t *values, bool *found)
{
	int nr_types = btf__type_cnt(btf);

	for (int id = 1; id < nr_types; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		bool is64 = btf_is_enum64(t);

		if (!btf_is_enum(t) && !is64)
			continue;
		for (int i = 0; i < btf_vlen(t); i++) {
			const char *name;
			int64_t v;

			if (is64) {
				const struct btf_enum64 *e = btf_enum64(t) + i;

				name = btf__name_by_offset(btf, e->name_off);
				v = (int64_t)btf_enum64_value(e);
			} else {
				const struct btf_enum *e = btf_enum(t) + i;

				name = btf__name_by_offset(btf, e->name_off);
				v = e->val;
			}
			if (strncmp(name, "IO_URING_F_", 11) && strncmp(name, "REQ_F_", 6))
				continue;
			for (int k = 0; k < n; k++) {
				if (!found[k] && !strcmp(name, names[k])) {
					values[k] = v;
					found[k] = true;
				}
			}
		}
	}
}

static bool btf_has_member(const struct btf *btf, const char *type, const char *member)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t;
	const struct btf_member *m;

	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
	return false;
}

/* what this kernel's BTF says it has: decided by names, never by version numbers */
static int probe_features(struct tracer_features *f, char *err, size_t errlen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int64_t v;

	if (!vmlinux) {
		snprintf(err, errlen, "cannot read kernel BTF (/sys/kernel/btf/vmlinux): "
			 "the kernel needs CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	/* 6.18 made io_uring_cmd_done() an inline wrapper of __io_uring_cmd_done() */
	if (btf_has_func(vmlinux, "__io_uring_cmd_done"))
		snprintf(f->done_func, sizeof(f->done_func), "__io_uring_cmd_done");
	else if (btf_has_func(vmlinux, "io_uring_cmd_done"))
		snprintf(f->done_func, sizeof(f->done_func), "io_uring_cmd_done");
	f->has_mark_cancelable = btf_has_func(vmlinux, "io_uring_cmd_mark_cancelable");
	f->has_cancel_loop = btf_has_func(vmlinux, "io_uring_try_cancel_uring_cmd");
	f->has_core_cast = btf_has_func(vmlinux, "bpf_rdonly_cast");
	f->has_complete_tp = btf__find_by_name_kind(vmlinux, "btf_trace_io_uring_complete",
						     BTF_KIND_TYPEDEF) > 0;
	f->has_submit_req_tp = btf__find_by_name_kind(vmlinux, "btf_trace_io_uring_submit_req",
						       BTF_KIND_TYPEDEF) > 0;
	{
		/* the kernel's value of every flag by name, and of REQ_F_NOWAIT_BIT (an anonymous enum) */
		char names[IOUCMD_F__COUNT + 1][48];
		const char *ptrs[IOUCMD_F__COUNT + 1];
		int64_t values[IOUCMD_F__COUNT + 1] = { 0 };
		bool found[IOUCMD_F__COUNT + 1] = { 0 };

		for (int i = 0; i < IOUCMD_F__COUNT; i++)
			snprintf(names[i], sizeof(names[i]), "IO_URING_F_%s", ioucmd_flag_name(i));
		snprintf(names[IOUCMD_F__COUNT], sizeof(names[0]), "REQ_F_NOWAIT_BIT");
		for (int i = 0; i <= IOUCMD_F__COUNT; i++)
			ptrs[i] = names[i];
		btf_enum_values(vmlinux, ptrs, IOUCMD_F__COUNT + 1, values, found);
		for (int i = 0; i < IOUCMD_F__COUNT; i++)
			if (found[i])
				f->flag_values[i] = (uint32_t)values[i];
		v = values[IOUCMD_F__COUNT];
		if (found[IOUCMD_F__COUNT] && v >= 0 && v < 64)
			f->req_f_nowait = 1ull << v;
	}
	/* done() acts on issue_flags from the cancelable-command era (6.7+); 6.1 ignores them */
	if (f->has_mark_cancelable)
		f->kernel |= IOUCMD_K_FLAGS_MATTER;
	if (btf_has_member(vmlinux, "mutex", "owner"))
		f->kernel |= IOUCMD_K_LOCK_OWNER;
	btf__free(vmlinux);
	if (!f->done_func[0]) {
		snprintf(err, errlen, "this kernel has neither io_uring_cmd_done nor "
			 "__io_uring_cmd_done in its BTF: is CONFIG_IO_URING enabled?");
		return -ENOENT;
	}
	return 0;
}

/* the address a handler has in f_op->uring_cmd, from /proc/kallsyms */
/* /proc/kallsyms, read the first time a name or an address is needed */
static struct ksyms *tracer_ksyms(struct tracer *t)
{
	if (!t->ksyms && !t->ksyms_failed) {
		t->ksyms = ksyms_load();
		t->ksyms_failed = !t->ksyms;
	}
	return t->ksyms;
}

static int handler_address(struct tracer *t, const char *name, uint64_t *addr, char *err,
			   size_t errlen)
{
	const struct ksym *s = tracer_ksyms(t) ? ksyms_by_name(t->ksyms, name) : NULL;

	if (!t->ksyms) {
		snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(errno));
		return -ENOENT;
	}
	if (!s || !s->addr) {
		snprintf(err, errlen, "handler '%s' is not in /proc/kallsyms%s", name,
			 geteuid() ? " (run as root: addresses are hidden from other users)"
				   : ": is its module loaded? ('ioucmd list' shows the handlers)");
		return -ENOENT;
	}
	*addr = s->addr;
	return 0;
}

/* ---- the view: series -> handler slots ---------------------------------------------------- */

static int view_slot_of(struct tracer *t, uint64_t addr)
{
	struct view_handler *h;
	const struct ksym *s;

	for (int i = 0; i < t->nr_view; i++)
		if (t->view[i].addr == addr)
			return i;
	if (t->nr_view == t->cap_view) {
		int cap = t->cap_view ? 2 * t->cap_view : 16;

		h = realloc(t->view, cap * sizeof(*h));
		if (!h)
			return -1;
		t->view = h;
		t->cap_view = cap;
	}
	h = &t->view[t->nr_view];
	memset(h, 0, sizeof(*h));
	h->addr = addr;
	s = addr && tracer_ksyms(t) ? ksyms_find(t->ksyms, addr) : NULL;
	if (addr && (!s || s->addr != addr) && t->ksyms) {
		/* a handler of a module loaded since the symbols were read: read them again */
		struct ksyms *fresh = ksyms_load();

		if (fresh) {
			ksyms_free(t->ksyms);
			t->ksyms = fresh;
			s = ksyms_find(t->ksyms, addr);
		}
	}
	if (addr == 0)
		snprintf(h->name, sizeof(h->name), "(series table full)");
	else if (s && s->addr == addr)
		snprintf(h->name, sizeof(h->name), "%s", s->name);
	else
		snprintf(h->name, sizeof(h->name), "0x%llx", (unsigned long long)addr);
	return t->nr_view++;
}

static void view_place(struct tracer *t, uint32_t idx, uint64_t addr, uint32_t cmd_op)
{
	int slot = view_slot_of(t, addr), op;
	struct view_handler *h;

	if (slot < 0)
		return;
	h = &t->view[slot];
	for (op = 0; op < h->nr_ops; op++)
		if (h->ops[op].cmd_op == cmd_op && op != IOUCMD_OP_OTHER)
			break;
	if (op == h->nr_ops) {
		if (h->nr_ops < IOUCMD_OP_OTHER) {
			h->ops[h->nr_ops].cmd_op = cmd_op;
			h->nr_ops++;
		} else {
			op = IOUCMD_OP_OTHER;	/* too many cmd_ops: one row for the rest */
			h->nr_ops = IOUCMD_MAX_OPS;
			h->ops[op].cmd_op = UINT32_MAX;
		}
	}
	h->ops[op].nr_series++;
	t->series_slot[idx] = slot;
	t->series_op[idx] = (int16_t)op;
}

/* picks up series the programs claimed since the last look */
static void view_refresh(struct tracer *t)
{
	if (!t->series)
		return;
	for (size_t i = 1; i < t->series_len; i++) {
		const volatile struct ioucmd_series *s = &t->series[i];

		if (t->series_slot[i] >= 0 || s->ready != IOUCMD_SERIES_READY)
			continue;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		view_place(t, (uint32_t)i, s->handler, s->cmd_op);
	}
}

/* ---- events ------------------------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	struct ioucmd_event e;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	/* the kernel's series and flag bits, as the reports speak of them */
	if (e.slot < t->series_len && e.slot) {
		if (t->series_slot[e.slot] < 0)
			view_refresh(t);
		e.slot = t->series_slot[e.slot] < 0 ? 0 : (uint32_t)t->series_slot[e.slot];
	} else if (e.handler) {
		e.slot = (uint32_t)view_slot_of(t, e.handler);
	}
	e.issue_flags = tracer_canon_flags(t, e.issue_flags);
	e.flags_seen = tracer_canon_flags(t, e.flags_seen);
	if (e.kind == IOUCMD_EV_VIOLATION) {
		if (t->opts.on_violation)
			t->opts.on_violation(t->opts.arg, &e);
	} else if (t->opts.on_life) {
		t->opts.on_life(t->opts.arg, &e);
	}
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("IOUCMD_LIBBPF_LOG"))
		return level == LIBBPF_WARN && getenv("IOUCMD_LIBBPF_LOG") ? vfprintf(stderr, fmt, ap) : 0;
	return vfprintf(stderr, fmt, ap);
}

/* a kprobe program and where it goes; kept to attach by hand (kprobe sections name no target) */
struct kprobe_plan {
	struct bpf_program *prog;
	const char *func;
	bool retprobe;
};

static void set_config(struct tracer *t, struct ioucmd_config *cfg)
{
	const struct tracer_opts *o = &t->opts;

	cfg->nr_handlers = o->nr_handlers;
	for (int i = 0; i < o->nr_handlers; i++)
		cfg->handler_addr[i] = t->handler_addrs[i];
	cfg->filter_pid = o->filter_pid;
	cfg->filter_cmd_op_set = o->filter_cmd_op_set;
	cfg->filter_cmd_op = o->filter_cmd_op;
	memcpy(cfg->filter_comm, o->filter_comm, sizeof(cfg->filter_comm));
	cfg->kernel = t->feat.kernel;
	cfg->events = o->events;
	cfg->first_stacks = o->first_stacks;
	cfg->inflight_bits = t->inflight_bits;
	cfg->series_bits = t->series_bits;
	cfg->nr_cpus = t->nr_cpus;
}

/* fentry/fexit, or kprobe/kretprobe on kernels that have kprobes but no fentry */
static int load_probes(struct tracer *t, bool kprobe, char *err, size_t errlen)
{
	const struct tracer_features *f = &t->feat;
	struct ioucmd_bpf *s = t->skel = ioucmd_bpf__open();
	struct kprobe_plan plan[8];
	const char *kind = kprobe ? "kprobe" : "fentry";
	bool cqes = t->opts.cqes || t->opts.events;
	int i, n = 0, ret;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	set_config(t, &s->rodata->cfg);
	/*
	 * A kprobe handler runs with preemption disabled once (ftrace's recursion lock), or twice
	 * when the function has other ftrace users as well (another tracer's fentry: the ops list
	 * takes the lock first): measured on 6.12, 1 alone and 2 beside an fentry program. Those
	 * are not the driver's. So with kprobes a done() is atomic above 2, or with interrupts off
	 * at the probe: one spin_lock() (without _irqsave) under a lone kprobe goes unseen.
	 */
	s->rodata->cfg.preempt_bias = kprobe ? 2 : 0;
	s->rodata->req_f_nowait = f->req_f_nowait;
	bpf_map__set_max_entries(s->maps.lives, 1u << t->inflight_bits);
	bpf_map__set_max_entries(s->maps.series, 1u << t->series_bits);
	bpf_map__set_max_entries(s->maps.cells, 1u << t->series_bits);
	/* one entry per task in a blocking handler at once (io-wq workers), kprobes only */
	bpf_map__set_max_entries(s->maps.blocking_issues, kprobe ? 4096 : 1);
	if (kprobe) {
		plan[n++] = (struct kprobe_plan){ s->progs.kp_on_issue, "io_uring_cmd", false };
		plan[n++] = (struct kprobe_plan){ s->progs.kp_on_issue_ret, "io_uring_cmd", true };
		plan[n++] = (struct kprobe_plan){ s->progs.kp_on_done, f->done_func, false };
		if (f->has_mark_cancelable)
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_mark_cancelable,
							  "io_uring_cmd_mark_cancelable", false };
		if (f->has_cancel_loop) {
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_cancel_begin,
							  "io_uring_try_cancel_uring_cmd", false };
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_cancel_end,
							  "io_uring_try_cancel_uring_cmd", true };
		}
		/* attached by hand below, to the function found here, not the one in SEC() */
		for (i = 0; i < n; i++) {
			bpf_program__set_autoload(plan[i].prog, true);
			bpf_program__set_autoattach(plan[i].prog, false);
		}
	} else {
		bpf_program__set_autoload(s->progs.on_issue, true);
		bpf_program__set_autoload(s->progs.on_issue_ret, true);
		struct bpf_program *done = f->has_core_cast ? s->progs.on_done : s->progs.on_done_probe;

		bpf_program__set_autoload(done, true);
		bpf_program__set_attach_target(done, 0, f->done_func);
		bpf_program__set_autoload(s->progs.on_mark_cancelable, f->has_mark_cancelable);
		bpf_program__set_autoload(s->progs.on_cancel_begin, f->has_cancel_loop);
		bpf_program__set_autoload(s->progs.on_cancel_end, f->has_cancel_loop);
	}
	bpf_program__set_autoload(s->progs.on_cqe, cqes && f->has_complete_tp);

	ret = ioucmd_bpf__load(s);
	if (ret) {
		snprintf(err, errlen, "loading the %s programs failed (%s)%s", kind, strerror(-ret),
			 ret == -EPERM ? ": run as root (CAP_BPF and CAP_PERFMON), or the kernel "
					 "forbids it (try another --backend)"
			 : ret == -ENOENT && kprobe ? ": this kernel has no kprobes (CONFIG_KPROBES)"
			 : "; IOUCMD_LIBBPF_LOG=1 shows the verifier's log");
		return ret;
	}
	for (i = 0; i < n; i++) {
		t->links[t->nr_links] = bpf_program__attach_kprobe(plan[i].prog, plan[i].retprobe,
								    plan[i].func);
		if (!t->links[t->nr_links]) {
			ret = -errno;
			snprintf(err, errlen, "kprobe on %s failed (%s): CONFIG_KPROBES?", plan[i].func,
				 strerror(-ret));
			return ret;
		}
		t->nr_links++;
	}
	ret = ioucmd_bpf__attach(s);
	if (ret) {
		snprintf(err, errlen, "attaching %s failed (%s)%s", kind, strerror(-ret),
			 kprobe ? "" : ": this kernel may lack CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS "
				       "(try --backend kprobe or tracepoint)");
		return ret;
	}
	t->cells_fd = bpf_map__fd(s->maps.cells);
	t->stacks_fd = bpf_map__fd(s->maps.stacks);
	t->events_fd = bpf_map__fd(s->maps.events);
	t->early_fd = bpf_map__fd(s->maps.early);
	return 0;
}

static int load_tracepoint(struct tracer *t, char *err, size_t errlen)
{
	struct ioucmd_tp_bpf *s = t->tp = ioucmd_tp_bpf__open();
	int ret;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	set_config(t, &s->rodata->cfg);
	bpf_map__set_max_entries(s->maps.tp_lives, 1u << t->inflight_bits);
	bpf_map__set_max_entries(s->maps.series, 1u << t->series_bits);
	bpf_map__set_max_entries(s->maps.cells, 1u << t->series_bits);
	/* 6.1 calls the submit event io_uring_submit_sqe; 6.12 renamed it io_uring_submit_req */
	bpf_program__set_autoload(s->progs.tp_submit_req, t->feat.has_submit_req_tp);
	bpf_program__set_autoload(s->progs.tp_submit_sqe, !t->feat.has_submit_req_tp);
	bpf_program__set_autoload(s->progs.tp_complete, true);
	ret = ioucmd_tp_bpf__load(s);
	if (!ret)
		ret = ioucmd_tp_bpf__attach(s);
	if (ret) {
		snprintf(err, errlen, "the tracepoint backend failed too (%s)%s", strerror(-ret),
			 ret == -EPERM ? ": run as root (CAP_BPF and CAP_PERFMON)"
				       : "; IOUCMD_LIBBPF_LOG=1 shows libbpf's log");
		return ret;
	}
	t->cells_fd = bpf_map__fd(s->maps.cells);
	t->events_fd = bpf_map__fd(s->maps.events);
	return 0;
}

static const void *map_table(struct bpf_map *m, size_t *len)
{
	size_t bytes = (size_t)bpf_map__max_entries(m) * ((bpf_map__value_size(m) + 7) & ~7u);
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	bytes = (bytes + page - 1) / page * page;
	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED)
		return NULL;
	*len = bpf_map__max_entries(m);
	return p;
}

static void unmap_table(const void *p, size_t len, size_t elem)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t bytes = (len * ((elem + 7) & ~7u) + page - 1) / page * page;

	if (p)
		munmap((void *)p, bytes);
}

static void unload(struct tracer *t)
{
	unmap_table(t->series, t->series_len, sizeof(struct ioucmd_series));
	unmap_table(t->lives, t->lives_len, sizeof(struct ioucmd_inflight));
	t->series = NULL;
	t->lives = NULL;
	while (t->nr_links)
		bpf_link__destroy(t->links[--t->nr_links]);
	ioucmd_bpf__destroy(t->skel);
	ioucmd_tp_bpf__destroy(t->tp);
	t->skel = NULL;
	t->tp = NULL;
	t->cells_fd = t->stacks_fd = t->events_fd = t->early_fd = -1;
}

/*
 * Is this kernel's preemption model one that preempts kernel code anywhere (full, lazy)? Then
 * a fentry/fexit program can be preempted halfway, and until it resumes the kernel skips that
 * program for every other task on its CPU (the trampoline's recursion guard: the program's
 * recursion_misses), so issues, returns and done() calls go unseen and records stay locked:
 * measured on sid's 7.2 (PREEMPT_LAZY, which offers no voluntary mode) under the fuzzer. kprobe
 * programs run with preemption off. PREEMPT_DYNAMIC kernels name the mode in debugfs, as
 * "none voluntary (full) lazy"; without it (or debugfs) nothing is known and fentry stays.
 */
static bool probes_preemptible(char *mode, size_t len)
{
	FILE *f = fopen("/sys/kernel/debug/sched/preempt", "r");
	char line[128], *open, *close;

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	open = strchr(line, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!close)
		return false;
	*close = 0;
	snprintf(mode, len, "%s", open + 1);
	return !strcmp(mode, "full") || !strcmp(mode, "lazy");
}

struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen)
{
	struct tracer *t = calloc(1, sizeof(*t));
	struct bpf_map *series_map;
	char why[512] = "";
	int i;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	libbpf_set_print(libbpf_quiet);
	t->opts = *opts;
	t->nr_cpus = libbpf_num_possible_cpus();
	t->inflight_bits = opts->inflight_bits ? opts->inflight_bits : IOUCMD_INFLIGHT_BITS;
	t->series_bits = IOUCMD_SERIES_BITS;
	unload(t);
	if (opts->nr_handlers < 0 || opts->nr_handlers > IOUCMD_MAX_HANDLERS) {
		snprintf(err, errlen, "trace at most %d handlers by name, not %d", IOUCMD_MAX_HANDLERS,
			 opts->nr_handlers);
		goto fail;
	}
	if (t->inflight_bits < 8 || t->inflight_bits > 24) {
		snprintf(err, errlen, "the in-flight table takes 2^8 to 2^24 entries");
		goto fail;
	}
	if (probe_features(&t->feat, err, errlen))
		goto fail;
	for (i = 0; i < opts->nr_handlers; i++)
		if (handler_address(t, opts->handlers[i], &t->handler_addrs[i], err, errlen))
			goto fail;
	/* auto: the best the kernel allows, in order; say why the better ones were not used */
	if (opts->backend == TRACER_AUTO && probes_preemptible(why, sizeof(why))) {
		snprintf(t->fallback_why, sizeof(t->fallback_why),
			 "fentry: preempt=%s, a preempted program misses other tasks' events", why);
	} else if (opts->backend == TRACER_AUTO || opts->backend == TRACER_FENTRY) {
		if (!load_probes(t, false, why, sizeof(why))) {
			t->backend = TRACER_FENTRY;
		} else if (opts->backend == TRACER_FENTRY) {
			snprintf(err, errlen, "%s", why);
			goto fail;
		} else {
			unload(t);
			snprintf(t->fallback_why, sizeof(t->fallback_why), "fentry: %s", why);
		}
	}
	if (!t->backend && (opts->backend == TRACER_AUTO || opts->backend == TRACER_KPROBE)) {
		if (!load_probes(t, true, why, sizeof(why))) {
			t->backend = TRACER_KPROBE;
		} else if (opts->backend == TRACER_KPROBE) {
			snprintf(err, errlen, "%s", why);
			goto fail;
		} else {
			size_t len = strlen(t->fallback_why);

			unload(t);
			snprintf(t->fallback_why + len, sizeof(t->fallback_why) - len, "; kprobe: %s", why);
		}
	}
	if (!t->backend) {
		if (load_tracepoint(t, err, errlen))
			goto fail;
		t->backend = TRACER_TRACEPOINT;
	}
	series_map = t->skel ? t->skel->maps.series : t->tp->maps.series;
	t->series = map_table(series_map, &t->series_len);
	if (t->skel)
		t->lives = map_table(t->skel->maps.lives, &t->lives_len);
	t->series_slot = malloc(t->series_len * sizeof(*t->series_slot));
	t->series_op = calloc(t->series_len, sizeof(*t->series_op));
	if (!t->series || (t->skel && !t->lives) || !t->series_slot || !t->series_op) {
		snprintf(err, errlen, "cannot map the tracer's tables: %s", strerror(errno));
		goto fail;
	}
	for (size_t k = 0; k < t->series_len; k++)
		t->series_slot[k] = -1;
	/* the handlers asked for come first, in order, traffic or not */
	for (i = 0; i < opts->nr_handlers; i++) {
		int slot = view_slot_of(t, t->handler_addrs[i]);

		if (slot >= 0)
			snprintf(t->view[slot].name, sizeof(t->view[slot].name), "%s", opts->handlers[i]);
	}
	t->rb = ring_buffer__new(t->events_fd, on_event, t, NULL);
	if (!t->rb) {
		snprintf(err, errlen, "cannot open the event ring buffer: %s", strerror(errno));
		goto fail;
	}
	return t;
fail:
	tracer_close(t);
	return NULL;
}

const char *tracer_lat_name(const struct tracer *t, int kind)
{
	if (kind == IOUCMD_LAT_HANDLER)
		return "handler";
	return t->backend == TRACER_TRACEPOINT ? "submit_to_cqe" : "issue_to_done";
}

enum tracer_backend tracer_backend(const struct tracer *t)
{
	return t->backend;
}

bool tracer_counts_cqes(const struct tracer *t)
{
	return t->backend == TRACER_TRACEPOINT ||
	       ((t->opts.cqes || t->opts.events) && t->feat.has_complete_tp);
}

const char *tracer_fallback_why(const struct tracer *t)
{
	return t->fallback_why;
}

const struct tracer_features *tracer_features(const struct tracer *t)
{
	return &t->feat;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	return ring_buffer__poll(t->rb, timeout_ms);
}

/* one series' cell summed over CPUs into out (added to what out holds) */
static int cell_sum(struct tracer *t, uint32_t idx, struct ioucmd_cell *out, bool hists)
{
	size_t one = (sizeof(struct ioucmd_cell) + 7) & ~(size_t)7;
	size_t n = hists ? sizeof(*out) / sizeof(uint64_t) : sizeof(out->c) / sizeof(uint64_t);
	uint64_t *dst = (uint64_t *)out;	/* every member is a __u64 */
	char *per;
	int ret;

	/* an interval's view: what VIEW froze, less where the interval began */
	if (t->interval_view && t->snap_valid && idx < t->series_len) {
		const uint64_t *src = (const uint64_t *)&t->snap[idx];
		const uint64_t *base = (const uint64_t *)&t->base[idx];

		for (size_t i = 0; i < n; i++)
			dst[i] += src[i] - base[i];
		return 0;
	}
	per = malloc(t->nr_cpus * one);
	if (!per)
		return -ENOMEM;
	ret = bpf_map_lookup_elem(t->cells_fd, &idx, per);
	for (int c = 0; !ret && c < t->nr_cpus; c++) {
		const uint64_t *src = (const uint64_t *)(per + c * one);

		for (size_t i = 0; i < n; i++)
			dst[i] += src[i];
	}
	free(per);
	return ret ? -errno : 0;
}

/* the cells of every series of a slot (op_idx -1: of every cmd_op), summed */
static int slot_sum(struct tracer *t, int slot, int op_idx, struct ioucmd_cell *sum, bool hists)
{
	int ret = 0;

	for (size_t i = 1; i < t->series_len && !ret; i++)
		if (t->series_slot[i] == slot && (op_idx < 0 || t->series_op[i] == op_idx))
			ret = cell_sum(t, (uint32_t)i, sum, hists);
	/* the series of commands that found the table full belong to no handler: the first one */
	if (slot == 0 && op_idx < 0 && !ret)
		ret = cell_sum(t, IOUCMD_SERIES_OTHER, sum, hists);
	return ret;
}

int tracer_counters(struct tracer *t, int slot, struct ioucmd_counters *out)
{
	struct ioucmd_cell *sum;
	int ret;

	memset(out, 0, sizeof(*out));
	view_refresh(t);
	if (slot < 0 || slot >= t->nr_view)
		return -ENOENT;
	sum = calloc(1, sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	ret = slot_sum(t, slot, -1, sum, false);
	*out = sum->c;
	free(sum);
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		out->violations[r] += t->view[slot].swept[r];
	out->untracked += t->view[slot].swept_untracked;
	if (t->interval_view && (size_t)slot < t->nr_base_swept) {
		for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
			out->violations[r] -= t->base_swept[slot].violations[r];
		out->untracked -= t->base_swept[slot].untracked;
	}
	return ret;
}

int tracer_stack(struct tracer *t, int32_t id, uint64_t *ips, int max)
{
	uint64_t buf[IOUCMD_STACK_DEPTH] = {0};
	int n = 0;

	if (id < 0 || t->stacks_fd < 0 || bpf_map_lookup_elem(t->stacks_fd, &id, buf))
		return 0;
	for (int i = 0; i < IOUCMD_STACK_DEPTH && n < max && buf[i]; i++)
		ips[n++] = buf[i];
	return n;
}

int tracer_hist(struct tracer *t, int slot, int op_idx, int kind, uint64_t *out)
{
	struct ioucmd_cell *sum;
	int ret;

	memset(out, 0, IOUCMD_HIST_BUCKETS * sizeof(uint64_t));
	view_refresh(t);
	if (slot < 0 || slot >= t->nr_view || op_idx < 0 || op_idx >= t->view[slot].nr_ops ||
	    kind < 0 || kind >= IOUCMD_LAT__COUNT)
		return -ENOENT;
	sum = calloc(1, sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	ret = slot_sum(t, slot, op_idx, sum, true);
	memcpy(out, sum->hist[kind], IOUCMD_HIST_BUCKETS * sizeof(uint64_t));
	free(sum);
	return ret;
}

bool tracer_op(struct tracer *t, int slot, int op_idx, uint32_t *cmd_op)
{
	view_refresh(t);
	if (slot < 0 || slot >= t->nr_view || op_idx < 0 || op_idx >= t->view[slot].nr_ops ||
	    !t->view[slot].ops[op_idx].nr_series)
		return false;
	*cmd_op = t->view[slot].ops[op_idx].cmd_op;
	return true;
}

/* ---- the sweep: stalls and unanswered cancels, judged from the in-flight table ---------------- */

/* sweep pacing: an early done() no issue claimed (its issue was never seen) goes after this */
#define EARLY_LINGER_NS 2000000000ull

/* rules already reported for this life; records rules as reported */
static uint32_t sweep_seen(struct tracer *t, uint64_t key, uint64_t issue_ns, uint32_t rules)
{
	struct swept_life *s;

	for (size_t i = 0; i < t->nr_reported; i++) {
		s = &t->reported[i];
		if (s->key == key && s->issue_ns == issue_ns) {
			uint32_t seen = s->rules;

			s->rules |= rules;
			return seen;
		}
	}
	if (t->nr_reported == t->cap_reported) {
		size_t cap = t->cap_reported ? 2 * t->cap_reported : 64;

		s = realloc(t->reported, cap * sizeof(*s));
		if (!s)
			return 0;	/* reported again next time rather than lost */
		t->reported = s;
		t->cap_reported = cap;
	}
	t->reported[t->nr_reported++] = (struct swept_life){ key, issue_ns, rules };
	return 0;
}

/*
 * A consistent copy of slot i: its key unlocked and the same before and after, and two copies
 * that agree (the programs update records in place, under the slot's lock).
 */
static bool sweep_read(const struct ioucmd_inflight *slot, struct ioucmd_inflight *rec)
{
	struct ioucmd_inflight again;
	uint64_t k = __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE);

	if (!k || (k & IOUCMD_REC_LOCKED))
		return false;
	memcpy(rec, (const void *)slot, sizeof(*rec));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&again, (const void *)slot, sizeof(again));
	return __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE) == k && rec->key == k &&
	       !memcmp(&rec->life, &again.life, sizeof(rec->life));
}

/* programs that skipped a run (nested on their CPU, the kernel's recursion guard) since last */
static uint64_t recursion_misses(struct tracer *t)
{
	struct bpf_program *p;
	uint64_t n = 0;

	if (!t->skel)
		return 0;
	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_prog_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

/* early done()s that no issue merged: their issue was never seen (or its frame was lost) */
static void sweep_early(struct tracer *t, uint64_t now)
{
	uint64_t key, next, *prev = NULL;
	struct ioucmd_inflight e;

	while (!bpf_map_get_next_key(t->early_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(t->early_fd, &key, &e) ||
		    ioucmd_age(now, e.life.done_ns) < EARLY_LINGER_NS)
			continue;
		if (bpf_map_delete_elem(t->early_fd, &key))
			continue;	/* merged meanwhile */
		__atomic_fetch_sub(&t->skel->bss->early_pending, 1, __ATOMIC_RELAXED);
		if (e.series < t->series_len && t->series_slot[e.series] >= 0 &&
		    t->series_slot[e.series] < t->nr_view)
			t->view[t->series_slot[e.series]].swept_untracked++;
	}
}

int tracer_sweep(struct tracer *t, bool final)
{
	uint64_t now = now_ns(), misses;
	uint64_t timeout = t->opts.stall_timeout_ns;
	struct ioucmd_inflight rec;
	int found = 0;

	if (!t->lives)	/* the tracepoint backend judges no stalls */
		return 0;
	view_refresh(t);
	misses = recursion_misses(t);
	if (misses != t->recursion_misses) {
		t->recursion_misses = misses;
		t->miss_ns = now;
	}
	sweep_early(t, now);
	for (size_t i = 0; i < t->lives_len; i++) {
		int slot;
		uint32_t v;

		if (!__atomic_load_n(&t->lives[i].key, __ATOMIC_RELAXED) || !sweep_read(&t->lives[i], &rec))
			continue;
		if (rec.life.state != IOUCMD_S_QUEUED)
			continue;
		if ((rec.life.marks & IOUCMD_M_UNJUDGED) ||
		    (rec.lost_ns && rec.lost_ns >= rec.life.issue_ns))
			continue;	/* an event of it was lost: counted as untracked, never judged */
		v = ioucmd_check_age(&rec.life, now, final ? 0 : timeout);
		/* at the end, a parked command is not a stall unless it had the time */
		if (final && (v & IOUCMD_V(IOUCMD_RULE_STALLED_COMMAND)) &&
		    ioucmd_age(now, rec.life.issue_ns) < timeout)
			v &= ~IOUCMD_V(IOUCMD_RULE_STALLED_COMMAND);
		if (final && (v & IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED)) &&
		    ioucmd_age(now, rec.life.cancel_ns) < timeout)
			v &= ~IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED);
		v &= ~sweep_seen(t, rec.key, rec.life.issue_ns, v);
		if (!v)
			continue;
		slot = rec.series < t->series_len ? t->series_slot[rec.series] : -1;
		if (slot < 0)
			slot = 0;
		/* a program skipped an event while this life was in flight: it may be that done() */
		if (t->miss_ns && rec.life.issue_ns <= t->miss_ns) {
			if (slot < t->nr_view)
				t->view[slot].swept_untracked++;
			continue;
		}
		found++;
		for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
			if (v & IOUCMD_V(r) && slot < t->nr_view)
				t->view[slot].swept[r]++;
		if (t->opts.on_violation) {
			struct ioucmd_event e = {
				.kind = IOUCMD_EV_VIOLATION, .rules = v, .ts_ns = now, .cmd = rec.key,
				.user_data = rec.user_data, .cmd_op = rec.cmd_op, .slot = (uint32_t)slot,
				.handler = slot < t->nr_view ? t->view[slot].addr : 0,
				.pid = rec.pid, .issue_flags = tracer_canon_flags(t, rec.kflags),
				.done_count = rec.life.done_count, .state = rec.life.state,
				.res = rec.life.ret, .stack_id = -1, .first_stack_id = -1,
				.marks = rec.life.marks,
				.age_ns = ioucmd_age(now, (v & IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED)) ?
							      rec.life.cancel_ns : rec.life.issue_ns),
			};
			char path[64];
			FILE *f;

			/* the submitter's name, while it is alive */
			snprintf(path, sizeof(path), "/proc/%u/comm", rec.pid);
			f = rec.pid ? fopen(path, "r") : NULL;
			if (f) {
				if (fgets(e.comm, sizeof(e.comm), f))
					e.comm[strcspn(e.comm, "\n")] = '\0';
				fclose(f);
			}
			t->opts.on_violation(t->opts.arg, &e);
		}
	}
	return found;
}

const struct bpf_object *tracer_object(const struct tracer *t)
{
	return t->skel ? t->skel->obj : t->tp ? t->tp->obj : NULL;
}

const char *tracer_handler(const struct tracer *t, int slot)
{
	return slot >= 0 && slot < t->nr_view ? t->view[slot].name : "?";
}

int tracer_nr_handlers(const struct tracer *t)
{
	view_refresh((struct tracer *)t);
	return t->nr_view;
}

int tracer_interval(struct tracer *t, enum tracer_interval what)
{
	struct ioucmd_counters *swept;
	int n;

	if (!t->base) {
		t->base = calloc(t->series_len, sizeof(*t->base));
		t->snap = calloc(t->series_len, sizeof(*t->snap));
		if (!t->base || !t->snap)
			return -ENOMEM;
	}
	t->interval_view = false;
	if (what == TRACER_INTERVAL_WHOLE) {
		t->snap_valid = false;
		return 0;
	}
	n = tracer_nr_handlers(t);	/* places the series seen so far */
	if (what == TRACER_INTERVAL_MARK && t->snap_valid) {
		/* the interval just printed ends where its snapshot was taken */
		struct ioucmd_cell *old = t->base;

		t->base = t->snap;
		t->snap = old;
		t->snap_valid = false;
	} else {
		/*
		 * VIEW freezes every placed series; MARK with no VIEW before begins here. A series
		 * placed later starts from 0: all its counts fall in the interval that first shows it.
		 */
		struct ioucmd_cell *dst = what == TRACER_INTERVAL_VIEW ? t->snap : t->base;

		for (size_t i = 0; i < t->series_len; i++) {
			memset(&dst[i], 0, sizeof(dst[i]));
			if (i == IOUCMD_SERIES_OTHER || t->series_slot[i] >= 0)
				cell_sum(t, (uint32_t)i, &dst[i], true);
		}
		if (what == TRACER_INTERVAL_VIEW) {
			t->snap_valid = true;
			t->interval_view = true;
			return 0;
		}
	}
	swept = realloc(t->base_swept, (n ? n : 1) * sizeof(*swept));
	if (!swept)
		return -ENOMEM;
	t->base_swept = swept;
	t->nr_base_swept = n;
	for (int slot = 0; slot < n; slot++) {
		memset(&swept[slot], 0, sizeof(swept[slot]));
		memcpy(swept[slot].violations, t->view[slot].swept, sizeof(t->view[slot].swept));
		swept[slot].untracked = t->view[slot].swept_untracked;
	}
	return 0;
}

/* closes this process's references to BPF objects and perf events (the tracer's, and only those) */
static void close_bpf_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char path[64], target[64];
	int fds[1024], n = 0;

	if (!d)
		return;
	while ((de = readdir(d)) && n < (int)ARRAY_SIZE(fds)) {
		int fd = atoi(de->d_name);
		ssize_t len;

		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, "anon_inode:bpf", 14) || !strcmp(target, "anon_inode:btf") ||
		    !strcmp(target, "anon_inode:[perf_event]"))
			fds[n++] = fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

int tracer_detach(struct tracer *t, uint64_t timeout_ns)
{
	uint64_t end = now_ns() + timeout_ns;
	int status;
	pid_t child;

	if (!t)
		return 0;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		tracer_close(t);
		return 0;
	}
	if (child == 0) {
		tracer_close(t);
		_exit(0);
	}
	/*
	 * Ours go first, so that the child holds the last references: its close is the one that
	 * waits for the kernel. tracer_close() then frees our memory (its closes find nothing).
	 */
	close_bpf_fds();
	tracer_close(t);
	while (waitpid(child, &status, WNOHANG) == 0) {
		if (now_ns() >= end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	unload(t);
	free(t->view);
	free(t->series_slot);
	free(t->series_op);
	free(t->base);
	free(t->snap);
	free(t->base_swept);
	ksyms_free(t->ksyms);
	free(t->reported);
	free(t);
}
