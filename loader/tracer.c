// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracer's life, in libbpf-tools shape: probe what the kernel has, open the skeleton, set
 * rodata, choose programs, load, attach, poll, destroy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "clock.h"
#include "tracer.h"	/* before the skeleton: it names struct ioucmd_config */
#include "ioucmd.skel.h"
#include "ioucmd_tp.skel.h"

struct tracer {
	struct ioucmd_bpf *skel;	/* fentry backend */
	struct ioucmd_tp_bpf *tp;	/* tracepoint backend */
	enum tracer_backend backend;
	char fallback_why[1024];		/* why auto did not get fentry */
	int counters_fd, hists_fd, op_table_fd, stacks_fd, inflight_fd, events_fd;
	struct bpf_link *links[2 * IOUCMD_MAX_HANDLERS + 6];	/* kprobes, attached by hand */
	int nr_links;
	struct ring_buffer *rb;
	struct tracer_opts opts;
	struct tracer_features feat;
	int nr_cpus;
	/* judged in user space by tracer_sweep(): stalls and unanswered cancels, per slot */
	uint64_t swept[IOUCMD_MAX_HANDLERS][IOUCMD_RULE__COUNT];
	/*
	 * lives the sweep reported, so that the next sweep does not report them again: kept here,
	 * not written back to the map, where the program may be updating the record in place
	 */
	struct swept_life {
		uint64_t key, issue_ns;
		uint32_t rules;
	} *reported;
	size_t nr_reported, cap_reported;
};

#define RULE_NAME(suffix, name)	[IOUCMD_RULE_##suffix] = #name,
static const char *const rule_names[IOUCMD_RULE__COUNT] = { IOUCMD_FOR_EACH_RULE(RULE_NAME) };
#undef RULE_NAME

/* the filters, identical for both backends' programs */
static void set_filters(struct ioucmd_config *cfg, const struct tracer_opts *o)
{
	cfg->filter_pid = o->filter_pid;
	cfg->filter_cmd_op_set = o->filter_cmd_op_set;
	cfg->filter_cmd_op = o->filter_cmd_op;
	memcpy(cfg->filter_comm, o->filter_comm, sizeof(cfg->filter_comm));
}

const char *ioucmd_rule_name(int rule)
{
	return rule >= 0 && rule < IOUCMD_RULE__COUNT ? rule_names[rule] : "unknown";
}

const char *ioucmd_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const char *const names[IOUCMD_F__COUNT] = {
		"COMPLETE_DEFER", "UNLOCKED", "MULTISHOT", "IOWQ", "INLINE", "NONBLOCK",
		"SQE128", "CQE32", "IOPOLL", "CANCEL", "COMPAT", "TASK_DEAD",
	};
	size_t used = 0;

	if (flags == IOUCMD_EXPECT_NONE) {
		snprintf(buf, len, "none (punt to task work)");
		return buf;
	}
	buf[0] = '\0';
	for (int i = 0; i < IOUCMD_F__COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? "|" : "", names[i]);
	}
	if (!used)
		snprintf(buf, len, "0");
	return buf;
}

static bool btf_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* member by name, looking into anonymous structs and unions (6.1 keeps task_work_cb in one) */
static bool btf_type_has_member(const struct btf *btf, const struct btf_type *t, const char *member)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt;

		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
		if (m->name_off)
			continue;
		mt = btf__type_by_id(btf, m->type);
		if ((btf_is_struct(mt) || btf_is_union(mt)) && btf_type_has_member(btf, mt, member))
			return true;
	}
	return false;
}

static bool btf_has_member(const struct btf *btf, const char *type, const char *member)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -1;

	if (id <= 0)
		return false;
	return btf_type_has_member(btf, btf__type_by_id(btf, id), member);
}

/* what this kernel's BTF says it has: decided by names, never by version numbers */
static int probe_features(struct tracer_features *f, char *err, size_t errlen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

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
	/* the punt to task work: 6.1 exports io_uring_cmd_complete_in_task, 6.5+ wraps this */
	if (btf_has_func(vmlinux, "__io_uring_cmd_do_in_task"))
		snprintf(f->tw_queue_func, sizeof(f->tw_queue_func), "__io_uring_cmd_do_in_task");
	else if (btf_has_func(vmlinux, "io_uring_cmd_complete_in_task"))
		snprintf(f->tw_queue_func, sizeof(f->tw_queue_func), "io_uring_cmd_complete_in_task");
	f->has_do_in_task = f->tw_queue_func[0];
	/* 6.19 calls callbacks straight from the task-work list: no runner to frame */
	f->has_cmd_work = btf_has_func(vmlinux, "io_uring_cmd_work") &&
			  btf_has_member(vmlinux, "io_uring_cmd", "task_work_cb");
	f->has_complete_tp = btf__find_by_name_kind(vmlinux, "btf_trace_io_uring_complete",
						     BTF_KIND_TYPEDEF) > 0;
	f->has_submit_req_tp = btf__find_by_name_kind(vmlinux, "btf_trace_io_uring_submit_req",
						       BTF_KIND_TYPEDEF) > 0;
	/* done() acts on issue_flags from the cancelable-command era (6.7+); 6.1 ignores them */
	if (f->has_mark_cancelable)
		f->kernel |= IOUCMD_K_FLAGS_MATTER;
	if (f->has_do_in_task && f->has_cmd_work)
		f->kernel |= IOUCMD_K_TW_FRAMES;
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
static int handler_address(const char *name, uint64_t *addr, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	unsigned long long a;

	if (!f) {
		snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(errno));
		return -errno;
	}
	*addr = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 && !strcmp(sym, name)) {
			*addr = a;
			break;
		}
	}
	fclose(f);
	if (!*addr) {
		snprintf(err, errlen, "handler '%s' is not in /proc/kallsyms%s", name,
			 geteuid() ? " (run as root: addresses are hidden from other users)"
				   : ": is its module loaded? ('ioucmd list' shows the handlers)");
		return -ENOENT;
	}
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	const struct ioucmd_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (e->kind == IOUCMD_EV_VIOLATION) {
		if (t->opts.on_violation)
			t->opts.on_violation(t->opts.arg, e);
	} else if (t->opts.on_life) {
		t->opts.on_life(t->opts.arg, e);
	}
	return 0;
}

static struct bpf_program *handler_prog(struct ioucmd_bpf *s, int slot, bool exit, bool kprobe)
{
	struct bpf_program *fentry[2][IOUCMD_MAX_HANDLERS] = {
		{ s->progs.handler_entry0, s->progs.handler_entry1, s->progs.handler_entry2,
		  s->progs.handler_entry3, s->progs.handler_entry4, s->progs.handler_entry5,
		  s->progs.handler_entry6, s->progs.handler_entry7 },
		{ s->progs.handler_exit0, s->progs.handler_exit1, s->progs.handler_exit2,
		  s->progs.handler_exit3, s->progs.handler_exit4, s->progs.handler_exit5,
		  s->progs.handler_exit6, s->progs.handler_exit7 },
	};
	struct bpf_program *kp[2][IOUCMD_MAX_HANDLERS] = {
		{ s->progs.kp_handler_entry0, s->progs.kp_handler_entry1, s->progs.kp_handler_entry2,
		  s->progs.kp_handler_entry3, s->progs.kp_handler_entry4, s->progs.kp_handler_entry5,
		  s->progs.kp_handler_entry6, s->progs.kp_handler_entry7 },
		{ s->progs.kp_handler_exit0, s->progs.kp_handler_exit1, s->progs.kp_handler_exit2,
		  s->progs.kp_handler_exit3, s->progs.kp_handler_exit4, s->progs.kp_handler_exit5,
		  s->progs.kp_handler_exit6, s->progs.kp_handler_exit7 },
	};

	return kprobe ? kp[exit][slot] : fentry[exit][slot];
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

/* fentry/fexit, or kprobe/kretprobe on kernels that have kprobes but no fentry */
static int load_probes(struct tracer *t, const uint64_t *addrs, bool kprobe, char *err,
		       size_t errlen)
{
	const struct tracer_opts *opts = &t->opts;
	const struct tracer_features *f = &t->feat;
	struct ioucmd_bpf *s = t->skel = ioucmd_bpf__open();
	struct kprobe_plan plan[2 * IOUCMD_MAX_HANDLERS + 6];
	const char *kind = kprobe ? "kprobe" : "fentry";
	int i, n = 0, ret;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	s->rodata->cfg.nr_handlers = opts->nr_handlers;
	set_filters(&s->rodata->cfg, opts);
	s->rodata->cfg.kernel = f->kernel;
	s->rodata->cfg.events = opts->events;
	s->rodata->cfg.first_stacks = opts->first_stacks;
	/* kprobe handlers run with preemption disabled: that one is not the driver's */
	s->rodata->cfg.preempt_bias = kprobe;
	for (i = 0; i < opts->nr_handlers; i++) {
		s->rodata->cfg.handler_addr[i] = addrs[i];
		for (int x = 0; x < 2; x++) {
			struct bpf_program *p = handler_prog(s, i, x, kprobe);

			bpf_program__set_autoload(p, true);
			if (kprobe) {
				plan[n++] = (struct kprobe_plan){ p, opts->handlers[i], x };
				continue;
			}
			ret = bpf_program__set_attach_target(p, 0, opts->handlers[i]);
			if (ret) {
				snprintf(err, errlen, "no BTF for handler '%s': its module needs "
					 "BTF (CONFIG_DEBUG_INFO_BTF_MODULES)", opts->handlers[i]);
				return ret;
			}
		}
	}
	if (kprobe) {
		plan[n++] = (struct kprobe_plan){ s->progs.kp_on_done, f->done_func, false };
		if (f->has_mark_cancelable)
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_mark_cancelable,
							  "io_uring_cmd_mark_cancelable", false };
		if (f->has_do_in_task)
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_tw_queue,
							  f->tw_queue_func, false };
		if (f->has_cmd_work) {
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_tw_run, "io_uring_cmd_work", false };
			plan[n++] = (struct kprobe_plan){ s->progs.kp_on_tw_run_exit, "io_uring_cmd_work",
							  true };
		}
		/* attached by hand below, to the function found here, not the one in SEC() */
		for (i = 0; i < n; i++) {
			bpf_program__set_autoload(plan[i].prog, true);
			bpf_program__set_autoattach(plan[i].prog, false);
		}
	} else {
		bpf_program__set_autoload(s->progs.on_done, true);
		bpf_program__set_attach_target(s->progs.on_done, 0, f->done_func);
		bpf_program__set_autoload(s->progs.on_mark_cancelable, f->has_mark_cancelable);
		bpf_program__set_autoload(s->progs.on_tw_queue, f->has_do_in_task);
		if (f->has_do_in_task)
			bpf_program__set_attach_target(s->progs.on_tw_queue, 0, f->tw_queue_func);
		bpf_program__set_autoload(s->progs.on_tw_run, f->has_cmd_work);
		bpf_program__set_autoload(s->progs.on_tw_run_exit, f->has_cmd_work);
	}
	bpf_program__set_autoload(s->progs.on_cqe, f->has_complete_tp);

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
	t->counters_fd = bpf_map__fd(s->maps.counters);
	t->hists_fd = bpf_map__fd(s->maps.hists);
	t->op_table_fd = bpf_map__fd(s->maps.op_table);
	t->stacks_fd = bpf_map__fd(s->maps.stacks);
	t->inflight_fd = bpf_map__fd(s->maps.inflight);
	t->events_fd = bpf_map__fd(s->maps.events);
	return 0;
}

static int load_tracepoint(struct tracer *t, const uint64_t *addrs, char *err, size_t errlen)
{
	struct ioucmd_tp_bpf *s = t->tp = ioucmd_tp_bpf__open();
	int ret;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	s->rodata->cfg.nr_handlers = t->opts.nr_handlers;
	set_filters(&s->rodata->cfg, &t->opts);
	for (int i = 0; i < t->opts.nr_handlers; i++)
		s->rodata->cfg.handler_addr[i] = addrs[i];
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
	t->counters_fd = bpf_map__fd(s->maps.counters);
	t->hists_fd = bpf_map__fd(s->maps.hists);
	t->op_table_fd = bpf_map__fd(s->maps.op_table);
	t->events_fd = bpf_map__fd(s->maps.events);
	return 0;
}

static void unload(struct tracer *t)
{
	while (t->nr_links)
		bpf_link__destroy(t->links[--t->nr_links]);
	ioucmd_bpf__destroy(t->skel);
	ioucmd_tp_bpf__destroy(t->tp);
	t->skel = NULL;
	t->tp = NULL;
	t->counters_fd = t->hists_fd = t->op_table_fd = t->stacks_fd = t->inflight_fd = -1;
	t->events_fd = -1;
}

const char *tracer_backend_name(enum tracer_backend b)
{
	switch (b) {
	case TRACER_FENTRY: return "fentry";
	case TRACER_KPROBE: return "kprobe";
	case TRACER_TRACEPOINT: return "tracepoint";
	default: return "auto";
	}
}

struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen)
{
	struct tracer *t = calloc(1, sizeof(*t));
	uint64_t addrs[IOUCMD_MAX_HANDLERS];
	char why[512] = "";
	int i;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	libbpf_set_print(libbpf_quiet);
	t->opts = *opts;
	t->nr_cpus = libbpf_num_possible_cpus();
	unload(t);
	if (opts->nr_handlers < 1 || opts->nr_handlers > IOUCMD_MAX_HANDLERS) {
		snprintf(err, errlen, "trace 1 to %d handlers, not %d", IOUCMD_MAX_HANDLERS,
			 opts->nr_handlers);
		goto fail;
	}
	if (probe_features(&t->feat, err, errlen))
		goto fail;
	for (i = 0; i < opts->nr_handlers; i++)
		if (handler_address(opts->handlers[i], &addrs[i], err, errlen))
			goto fail;
	/* auto: the best the kernel allows, in order; say why the better ones were not used */
	if (opts->backend == TRACER_AUTO || opts->backend == TRACER_FENTRY) {
		if (!load_probes(t, addrs, false, why, sizeof(why))) {
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
		if (!load_probes(t, addrs, true, why, sizeof(why))) {
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
		if (load_tracepoint(t, addrs, err, errlen))
			goto fail;
		t->backend = TRACER_TRACEPOINT;
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

int tracer_counters(struct tracer *t, int slot, struct ioucmd_counters *out)
{
	struct ioucmd_counters *per = calloc(t->nr_cpus, sizeof(*per));
	uint32_t key = slot;
	int ret;

	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	ret = bpf_map_lookup_elem(t->counters_fd, &key, per);
	if (!ret) {
		for (int c = 0; c < t->nr_cpus; c++) {
			__u64 *dst = (__u64 *)out, *src = (__u64 *)&per[c];	/* all members are __u64 */

			for (size_t i = 0; i < sizeof(*out) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	free(per);
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		out->violations[r] += t->swept[slot][r];
	return ret ? -errno : 0;
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
	size_t one = IOUCMD_HIST_BUCKETS * sizeof(uint64_t);
	uint64_t *per = calloc(t->nr_cpus, one);
	uint32_t key = (slot * IOUCMD_MAX_OPS + op_idx) * IOUCMD_LAT__COUNT + kind;
	int ret;

	if (!per)
		return -ENOMEM;
	memset(out, 0, one);
	ret = bpf_map_lookup_elem(t->hists_fd, &key, per);
	if (!ret)
		for (int c = 0; c < t->nr_cpus; c++)
			for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++)
				out[b] += per[c * IOUCMD_HIST_BUCKETS + b];
	free(per);
	return ret ? -errno : 0;
}

bool tracer_op(struct tracer *t, int slot, int op_idx, uint32_t *cmd_op)
{
	/* the op table is a plain array: read its one element */
	uint64_t ops[IOUCMD_MAX_HANDLERS * IOUCMD_MAX_OPS];
	uint32_t zero = 0;
	uint64_t v;

	if (bpf_map_lookup_elem(t->op_table_fd, &zero, ops))
		return false;
	v = ops[slot * IOUCMD_MAX_OPS + op_idx];
	if (!(v >> 32))
		return false;
	*cmd_op = (uint32_t)v;
	return true;
}


/* sweep pacing: completed lives whose CQE we never saw (CQE_SKIP, overflow) go after this */
#define DONE_LINGER_NS 2000000000ull

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

/* two reads that agree: the program updates records in place while we copy them */
static bool sweep_read(int fd, uint64_t key, struct ioucmd_inflight *rec)
{
	struct ioucmd_inflight again;

	if (bpf_map_lookup_elem(fd, &key, rec) || bpf_map_lookup_elem(fd, &key, &again))
		return false;
	return !memcmp(&rec->life, &again.life, sizeof(rec->life)) && rec->key == key;
}

int tracer_sweep(struct tracer *t, bool final)
{
	int fd = t->inflight_fd;
	uint64_t key, next, *prev = NULL, now = now_ns();
	uint64_t timeout = t->opts.stall_timeout_ns;
	struct ioucmd_inflight rec;
	int found = 0;

	if (fd < 0)	/* the tracepoint backend judges no stalls */
		return 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!sweep_read(fd, key, &rec))
			continue;
		if (rec.life.marks & IOUCMD_M_UNJUDGED) {
			/* an event of it was lost (busy record): counted as untracked, never judged */
			if (final || ioucmd_age(now, rec.life.issue_ns) >= timeout)
				bpf_map_delete_elem(fd, &key);
			continue;
		}
		if (rec.life.state == IOUCMD_S_DONE || rec.life.state == IOUCMD_S_DONE_EARLY) {
			uint64_t at = rec.life.done_ns;

			if (ioucmd_age(now, at) < DONE_LINGER_NS && !final)
				continue;
			/* the program may have deleted it meanwhile (CQE posted): count only ours */
			if (bpf_map_delete_elem(fd, &key))
				continue;
			if (rec.life.state == IOUCMD_S_DONE)
				__atomic_fetch_sub(&t->skel->bss->done_pending, 1, __ATOMIC_RELAXED);
			else
				__atomic_fetch_sub(&t->skel->bss->early_pending, 1, __ATOMIC_RELAXED);
			continue;
		}
		uint32_t v = ioucmd_check_age(&rec.life, now, final ? 0 : timeout);

		/* at the end, a parked cancelable command is not a stall unless it had the time */
		if (final && (v & IOUCMD_V(IOUCMD_RULE_STALLED_COMMAND)) &&
		    ioucmd_age(now, rec.life.issue_ns) < timeout)
			v &= ~IOUCMD_V(IOUCMD_RULE_STALLED_COMMAND);
		if (final && (v & IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED)) &&
		    ioucmd_age(now, rec.life.cancel_ns) < timeout)
			v &= ~IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED);
		v &= ~sweep_seen(t, key, rec.life.issue_ns, v);
		if (!v)
			continue;
		found++;
		for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
			if (v & IOUCMD_V(r) && rec.slot < IOUCMD_MAX_HANDLERS)
				t->swept[rec.slot][r]++;
		if (t->opts.on_violation) {
			struct ioucmd_event e = {
				.kind = IOUCMD_EV_VIOLATION, .rules = v, .ts_ns = now, .cmd = key,
				.user_data = rec.user_data, .cmd_op = rec.cmd_op, .slot = rec.slot,
				.pid = rec.pid, .issue_flags = rec.life.issue_flags,
				.done_count = rec.life.done_count, .state = rec.life.state,
				.res = rec.life.ret, .stack_id = -1, .first_stack_id = -1,
				.marks = rec.life.marks,
				.age_ns = ioucmd_age(now, (v & IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED)) ?
							      rec.life.cancel_ns : rec.life.issue_ns),
			};

			memcpy(e.comm, rec.comm, sizeof(e.comm));
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
	return slot >= 0 && slot < t->opts.nr_handlers ? t->opts.handlers[slot] : "?";
}

int tracer_nr_handlers(const struct tracer *t)
{
	return t->opts.nr_handlers;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	unload(t);
	free(t->reported);
	free(t);
}
