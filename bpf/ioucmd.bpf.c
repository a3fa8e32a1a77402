// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd's verifier: follows every uring_cmd from issue to completion and judges it with the
 * state machine in cmd_state.h.
 *
 * Where it stands: one fentry/fexit pair on the core's dispatcher io_uring_cmd(), which every
 * issue of every ->uring_cmd handler passes through (6.1 .. 7.x), so that every handler is
 * traced at the cost of one, the handler known from the request's file; fentry on done();
 * fentry on mark_cancelable() and on the ring-exit cancel loop where the kernel has them; and,
 * only when asked (--cqes), the io_uring_complete tracepoint. The kprobe backend is the same
 * code on kprobes.
 *
 * Cost model: a command completed inside its handler touches its CPU's issue frame (.bss) and
 * one per-CPU cell (counters and histograms of its handler and cmd_op); a queued one also
 * takes a slot of the in-flight table (lives.bpf.h) at its return and again at done(). Events
 * go out on a ring buffer, and violations also to the trace buffer a panic dumps.
 *
 * Frames: a NONBLOCK issue (inline submission: it may not sleep) keeps its frame in its CPU's
 * slot of cpu_frames, checked by command and task; a blocking issue (io-wq, a reissue after
 * -EAGAIN) keeps it in the in-flight table, where a done() from elsewhere finds it too, and,
 * under kprobes, its command in blocking_issues by task for the kretprobe.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "common.bpf.h"
#include "lives.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define IOUCMD_EEXIST	17	/* bpf_map_update_elem(BPF_NOEXIST) found the key */

struct ioucmd_cpu_frame cpu_frames[IOUCMD_MAX_CPUS * IOUCMD_FRAME_DEPTH];
/* the ring whose io_uring_try_cancel_uring_cmd() runs on each CPU, or 0 */
__u64 cancel_ctx[IOUCMD_MAX_CPUS];

/* done() calls that came before their issue's return (another CPU), waiting to be merged */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct ioucmd_inflight);
} early SEC(".maps");

/* entries in the early map: the issue paths look there only while it is not empty */
__u64 early_pending;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, IOUCMD_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* the loader's reading of this kernel's REQ_F_NOWAIT bit (an enum without a name) */
const volatile __u64 req_f_nowait = 0;

/*
 * The kprobe backend's blocking issues, by task: a kretprobe has no arguments to find its
 * command by, and a blocking handler may sleep for milliseconds (a reissue's wait in io-wq),
 * long enough for later issues on its CPU to take over any per-CPU frame it held. A task runs
 * one issue at a time, so its key is enough. The loader sizes it (1 under fentry).
 */
struct blocking_issue {
	__u64 cmd;
	__u32 kflags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct blocking_issue);
} blocking_issues SEC(".maps");

/*
 * A task runs one issue at a time: a frame of this task still on this CPU lost its return (a
 * kretprobe the kernel skipped) and would pass for the new issue's: it goes now.
 */
static __always_inline void frame_forget(__u32 cpu, __u64 task)
{
	__u32 i;

	for (i = 0; i < IOUCMD_FRAME_DEPTH; i++)
		if (cpu_frames[cpu * IOUCMD_FRAME_DEPTH + i].task == task)
			cpu_frames[cpu * IOUCMD_FRAME_DEPTH + i].cmd = 0;
}

/* a free frame on this CPU for a new issue (all taken: the oldest, whose issue goes unjudged) */
static __always_inline struct ioucmd_cpu_frame *frame_new(__u64 task)
{
	__u32 cpu = bpf_get_smp_processor_id(), i;

	if (cpu >= IOUCMD_MAX_CPUS)
		return NULL;
	frame_forget(cpu, task);
	for (i = 0; i < IOUCMD_FRAME_DEPTH; i++)
		if (!cpu_frames[cpu * IOUCMD_FRAME_DEPTH + i].cmd)
			return &cpu_frames[cpu * IOUCMD_FRAME_DEPTH + i];
	return &cpu_frames[cpu * IOUCMD_FRAME_DEPTH];
}

/* this task's frame on this CPU for cmd (cmd 0: its frame, whichever command), or NULL */
static __always_inline struct ioucmd_cpu_frame *frame_here(__u64 cmd, __u64 task)
{
	__u32 cpu = bpf_get_smp_processor_id(), i;
	struct ioucmd_cpu_frame *f;

	if (cpu >= IOUCMD_MAX_CPUS)
		return NULL;
	for (i = 0; i < IOUCMD_FRAME_DEPTH; i++) {
		f = &cpu_frames[cpu * IOUCMD_FRAME_DEPTH + i];
		if (f->cmd && (!cmd || f->cmd == cmd) && f->task == task)
			return f;
	}
	return NULL;
}

struct frame_scan {
	__u64 cmd;	/* 0: any */
	__u64 task;	/* 0: any */
	int found;
};

static long frame_scan_one(__u64 i, void *data)
{
	struct frame_scan *s = data;
	struct ioucmd_cpu_frame *f;
	__u64 cmd;

	if (i >= IOUCMD_MAX_CPUS * IOUCMD_FRAME_DEPTH)
		return 1;
	f = &cpu_frames[i];
	cmd = __sync_fetch_and_add(&f->cmd, 0);
	if (cmd && (!s->cmd || cmd == s->cmd) && (!s->task || f->task == s->task)) {
		s->found = (int)i;
		return 1;
	}
	return 0;
}

/*
 * The frame of cmd (and task) on any CPU: an issue whose handler moved to another CPU, or one
 * whose return has not come yet (task 0). Global: verified once.
 */
__noinline int frame_anywhere(__u64 cmd, __u64 task)
{
	struct frame_scan s = { .cmd = cmd, .task = task, .found = -1 };
	__u32 n = cfg.nr_cpus ? cfg.nr_cpus : 1;

	bpf_loop(n * IOUCMD_FRAME_DEPTH, frame_scan_one, &s, 0);
	return s.found;
}

static __always_inline struct ioucmd_cpu_frame *frame_at(int found)
{
	__u32 idx = found;

	/* a branch, not a select: clang would form the address before the bound check */
	if (idx >= IOUCMD_MAX_CPUS * IOUCMD_FRAME_DEPTH)
		return NULL;
	barrier_var(idx);
	return &cpu_frames[idx];
}

/* this task's frame for cmd, here or, if its handler moved, on another CPU */
static __always_inline struct ioucmd_cpu_frame *frame_of(__u64 cmd, __u64 task)
{
	struct ioucmd_cpu_frame *f = frame_here(cmd, task);

	return f ? f : frame_at(frame_anywhere(cmd, task));
}

static __always_inline __u64 *this_cancel_ctx(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return cpu < IOUCMD_MAX_CPUS ? &cancel_ctx[cpu] : NULL;
}

/* a request the user asked for: -H/-d by handler, -c by cmd_op, -p/--comm by its submitter */
static __always_inline bool wanted(struct io_kiocb *req, __u64 fn, __u32 cmd_op)
{
	struct task_struct *task;
	char comm[IOUCMD_COMM_LEN];

	if (!handler_wanted(fn))
		return false;
	if (cfg.filter_cmd_op_set && cmd_op != cfg.filter_cmd_op)
		return false;
	if (!cfg.filter_pid && !cfg.filter_comm[0])
		return true;
	task = ioucmd_req_task(req);
	if (cfg.filter_pid && BPF_CORE_READ(task, tgid) != (int)cfg.filter_pid)
		return false;
	if (cfg.filter_comm[0] &&
	    (bpf_core_read(comm, sizeof(comm), &task->comm) || !comm_wanted(comm)))
		return false;
	return true;
}

/*
 * One violation (or several rules at once), with what the probe knew. Global, as are the
 * state machine's entry points below: each is verified once, not inlined into every path.
 */
struct emit_info {
	__u64 cmd;
	__u64 fn;
	__u32 rules;
	__u32 call_kflags;
	__s32 res;
	__s32 stack;
};

__noinline int emit_event(const struct emit_info *i, const struct ioucmd_inflight *rec,
			  const struct ioucmd_call *call)
{
	struct ioucmd_cell *c;
	struct ioucmd_event *e;
	__u32 v;

	if (!i || !rec)
		return 0;
	v = i->rules;
	c = cell_of(rec->series);
	if (c)
		count_violations(c, v);
	e = event_new(IOUCMD_EV_VIOLATION, v, i->cmd, i->fn, rec->cmd_op, rec->series);
	if (!e)
		return 0;
	e->user_data = rec->user_data;
	e->issue_flags = rec->kflags;
	e->done_count = rec->life.done_count;
	e->state = rec->life.state;
	e->marks = rec->life.marks;
	e->res = i->res;
	e->stack_id = i->stack;
	/* the earlier completion's stack, where there was an earlier completion */
	e->first_stack_id = (v & IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION)) && rec->life.done_count > 1 ?
			    rec->first_done_stack : -1;
	if (call) {
		e->flags_seen = i->call_kflags;
		e->flags_expected = ioucmd_expected_flags(call);
		e->frame = call->frame;
		e->res2 = call->res2;
		e->owns_uring_lock = call->owns_uring_lock;
		e->atomic = call->atomic;
		e->ring_cqe32 = call->ring_cqe32;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define emit(ctx, v, cmd_, fn_, rec, call, kflags_, res_)					\
	do {										\
		struct emit_info __ei = { .cmd = (cmd_), .fn = (fn_), .rules = (v),		\
			.call_kflags = (kflags_), .res = (res_),				\
			.stack = bpf_get_stackid(ctx, &stacks, 0) };				\
		emit_event(&__ei, rec, call);						\
	} while (0)

__noinline __u32 judge_done(struct ioucmd_life *l, const struct ioucmd_call *c)
{
	return l && c ? ioucmd_on_done(l, c) : 0;
}

__noinline __u32 judge_return(struct ioucmd_life *l, __u32 flags, __s32 ret, __u64 now)
{
	return l ? ioucmd_on_return(l, flags, ret, now) : 0;
}

__noinline __u32 judge_mark_cancelable(struct ioucmd_life *l, const struct ioucmd_call *c)
{
	return l && c ? ioucmd_on_mark_cancelable(l, c) : 0;
}

__noinline __u32 judge_merge_early(struct ioucmd_life *l, const struct ioucmd_life *early)
{
	return l && early ? ioucmd_merge_early(l, early) : 0;
}

/*
 * The flags the handler was given: the dispatcher's argument plus what io_uring_cmd() adds
 * from the ring before the call (SQE128, CQE32, IOPOLL; COMPAT is left to the loader's eyes).
 */
static __always_inline __u32 handler_kflags(struct io_kiocb *req, __u32 kflags, bool trusted)
{
	__u32 ring_flags = ioucmd_ring_flags(ioucmd_req_ctx(req, trusted), trusted);

	if (ring_flags & IOUCMD_IORING_SETUP_SQE128)
		kflags |= IOUCMD_KFLAG(IO_URING_F_SQE128);
	if (ring_flags & IOUCMD_IORING_SETUP_CQE32)
		kflags |= IOUCMD_KFLAG(IO_URING_F_CQE32);
	if (ring_flags & IOUCMD_IORING_SETUP_IOPOLL)
		kflags |= IOUCMD_KFLAG(IO_URING_F_IOPOLL);
	return kflags;
}

/* a frame's issue as a record, for judging and for the in-flight table */
static __always_inline void rec_from_frame(struct ioucmd_inflight *r, struct ioucmd_cpu_frame *f,
					   struct io_kiocb *req, __u32 series_idx, __u32 cmd_op,
					   bool trusted)
{
	__u32 kflags = handler_kflags(req, f->kflags, trusted);

	if (!f->dirty) {
		__builtin_memset(&r->life, 0, sizeof(r->life));
		ioucmd_on_issue(&r->life, ioucmd_judge_flags(kflags), f->issue_ns);
	} else {
		r->life = f->life;
	}
	r->kflags = kflags;
	r->cmd_op = cmd_op;
	r->series = series_idx;
	r->user_data = ioucmd_req_user_data(req, trusted);
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->first_done_stack = -1;
	r->task = 0;
}

/* the frame's life, made whole for a done() or mark_cancelable() inside the issue */
static __always_inline struct ioucmd_life *frame_life(struct ioucmd_cpu_frame *f)
{
	if (!f->dirty) {
		__builtin_memset(&f->life, 0, sizeof(f->life));
		ioucmd_on_issue(&f->life, ioucmd_judge_flags(f->kflags), f->issue_ns);
		f->dirty = 1;
	}
	return &f->life;
}

/*
 * A done() that came early (see done_common) for the issue that began at l->issue_ns, folded
 * into its life (whose return is judged already: state says how it ended). Called only while
 * early_pending says there may be one. An entry older than the issue belongs to a life whose
 * issue was never matched: it is dropped, and counted as untracked.
 */
static __always_inline __u32 take_early(__u64 cmd, struct ioucmd_life *l, struct ioucmd_cell *c)
{
	struct ioucmd_inflight *e = bpf_map_lookup_elem(&early, &cmd), copy;
	__u32 v;

	if (!e)
		return 0;
	copy = *e;
	if (bpf_map_delete_elem(&early, &cmd))
		return 0;	/* the done() took it back itself */
	__sync_fetch_and_add(&early_pending, -1);
	if (copy.life.done_ns < l->issue_ns) {
		c->c.untracked++;
		return 0;
	}
	v = judge_merge_early(l, &copy.life);
	switch (l->state) {
	case IOUCMD_S_QUEUED:
		l->state = IOUCMD_S_DONE;
		break;
	case IOUCMD_S_EAGAIN:
		v |= ioucmd_report(l, IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_EAGAIN));
		break;
	case IOUCMD_S_FREE:
		v |= ioucmd_report(l, IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_SYNC_RETURN));
		break;
	default:
		break;
	}
	return v;
}

/* ---- the issue: io_uring_cmd(), the core's dispatcher to f_op->uring_cmd ------------------ */

static __always_inline int issue_entry(__u64 cmd, struct io_kiocb *req, __u32 kflags, bool trusted)
{
	/* first: latency is measured from the dispatcher's first instruction, not ours */
	__u64 now = bpf_ktime_get_ns();
	struct ioucmd_cpu_frame *f;
	struct ioucmd_inflight *r;
	bool busy, fresh, full;
	__u32 flags, series_idx, cmd_op;
	struct ioucmd_cell *c;
	__u64 fn;

	if (!(kflags & IOUCMD_KFLAG(IO_URING_F_NONBLOCK)) && !trusted) {
		struct blocking_issue b = { .cmd = cmd, .kflags = kflags };
		__u64 task = bpf_get_current_task();
		__u32 cpu = bpf_get_smp_processor_id();

		if (cpu < IOUCMD_MAX_CPUS)
			frame_forget(cpu, task);
		/* full (a leak of missed returns): this issue's return goes uncounted */
		bpf_map_update_elem(&blocking_issues, &task, &b, BPF_ANY);
	} else if (kflags & IOUCMD_KFLAG(IO_URING_F_NONBLOCK)) {
		__u64 task = bpf_get_current_task();

		f = frame_new(task);
		if (!f)
			return 0;
		f->cmd = cmd;
		f->task = task;
		f->issue_ns = now;
		f->kflags = kflags;
		f->dirty = 0;
	}
	if (kflags & IOUCMD_KFLAG(IO_URING_F_NONBLOCK)) {
		LIFE_EVENT(IOUCMD_EV_ISSUE, cmd, ioucmd_req_handler(req, trusted),
			   ioucmd_req_cmd_op(req, trusted), 0, ioucmd_req_user_data(req, trusted), 0,
			   handler_kflags(req, kflags, trusted));
		return 0;
	}
	/*
	 * A blocking issue may sleep: its frame is its record, where anyone can find it (the
	 * blocking_issues entry above is only for a kretprobe, which has no arguments).
	 */
	kflags = handler_kflags(req, kflags, trusted);
	fn = ioucmd_req_handler(req, trusted);
	cmd_op = ioucmd_req_cmd_op(req, trusted);
	if (!wanted(req, fn, cmd_op))
		return 0;
	series_idx = series_of(fn, cmd_op);
	flags = ioucmd_judge_flags(kflags);
	r = lives_take(cmd, now, &busy, &fresh, &full);
	if (!r) {
		c = cell_of(series_idx);
		if (c && full)
			c->c.inflight_full++;
		return 0;
	}
	if (fresh || r->life.state != IOUCMD_S_EAGAIN)
		__builtin_memset(&r->life, 0, sizeof(r->life));
	ioucmd_on_issue(&r->life, flags, now);
	rec_check_lost(r);
	r->kflags = kflags;
	r->cmd_op = cmd_op;
	r->series = series_idx;
	r->task = bpf_get_current_task();
	r->user_data = ioucmd_req_user_data(req, trusted);
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->first_done_stack = -1;
	rec_unlock(r, cmd);
	LIFE_EVENT(IOUCMD_EV_ISSUE, cmd, fn, cmd_op, series_idx, r->user_data, 0, kflags);
	return 0;
}

/* what the core did with the handler's return, as the handler's own value */
static __always_inline int handler_ret(struct io_kiocb *req, int ret, bool trusted)
{
	/* 6.12+ return IOU_OK / IOU_COMPLETE (0) and leave the value in the CQE */
	if (ret == 0)
		return ioucmd_req_res(req, trusted);
	return ret;
}

/* the issue returned: v are rules broken in the issue so far (an early done() merged) */
static __always_inline void count_return(struct ioucmd_cell *c, int ret)
{
	c->c.issued++;
	if (ret == -IOUCMD_EIOCBQUEUED)
		c->c.queued++;
	else if (ret == -IOUCMD_EAGAIN)
		c->c.eagain++;
	else
		c->c.sync_returns++;
}

/*
 * After unlocking cmd's record: a done() that came meanwhile and found it locked (an interrupt
 * on this CPU, or a holder stalled on another) waits in the early map; merge it now. Only when
 * early_pending says there may be one.
 */
static __always_inline void settle_early(void *ctx, __u64 cmd, __u64 fn, struct ioucmd_cell *c,
					 __u64 now)
{
	struct ioucmd_inflight *r;
	bool busy;
	__u32 v;

	if (!early_pending)
		return;
	r = lives_lock(cmd, now, &busy);
	if (!r)
		return;
	v = take_early(cmd, &r->life, c);
	if (v)
		emit(ctx, v, cmd, fn, r, 0, 0, r->life.ret);
	if (r->life.state == IOUCMD_S_DONE && r->life.done_ns >= r->life.issue_ns)
		hist_add(c, IOUCMD_LAT_ISSUE_DONE, r->life.done_ns - r->life.issue_ns);
	rec_unlock(r, cmd);
}

/*
 * A queued or -EAGAIN life goes into the in-flight table, and then, published, looks for a
 * done() that came before it (done_early publishes first and looks second: one of the two
 * sees the other).
 */
static __always_inline void record_life(void *ctx, __u64 cmd, __u64 fn, struct ioucmd_inflight *rec,
					struct ioucmd_cell *c, __u64 now)
{
	struct ioucmd_inflight *r;
	bool busy, fresh, full;

	r = lives_take(cmd, now, &busy, &fresh, &full);
	if (!r) {
		if (full)
			c->c.inflight_full++;
		else
			c->c.untracked++;	/* its own slot stayed busy: this life goes unjudged */
		return;
	}
	rec->key = r->key;
	rec->lost_ns = r->lost_ns;
	rec->owner = r->owner;
	*r = *rec;
	rec_check_lost(r);
	rec_unlock(r, cmd);
	settle_early(ctx, cmd, fn, c, now);
}

/* the blocking issue's return: its life is in its record */
static __always_inline void blocking_exit(void *ctx, __u64 cmd, __u64 fn, struct ioucmd_cell *c,
					  __u32 flags, int ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct ioucmd_inflight *r;
	bool busy;
	__u32 v;

	r = lives_lock(cmd, now, &busy);
	if (!r || r->life.state != IOUCMD_S_IN_HANDLER) {
		if (r)
			rec_unlock(r, cmd);
		c->c.untracked++;
		return;
	}
	v = judge_return(&r->life, flags, ret, now);
	if (ret == -IOUCMD_EAGAIN && ioucmd_eagain_is_final(r->life.issue_flags))
		ioucmd_on_eagain_final(&r->life);
	r->task = 0;
	if (ret != -IOUCMD_EIOCBQUEUED && ret != -IOUCMD_EAGAIN)
		hist_add(c, IOUCMD_LAT_HANDLER, now - r->life.issue_ns);
	else if (r->life.state == IOUCMD_S_DONE)
		hist_add(c, IOUCMD_LAT_ISSUE_DONE, r->life.done_ns - r->life.issue_ns);
	if (v)
		emit(ctx, v, cmd, fn, r, 0, 0, ret);
	rec_unlock(r, cmd);
	settle_early(ctx, cmd, fn, c, now);
}

/*
 * The NONBLOCK issue's return, with its CPU's frame (frame false: the frame was lost to a
 * preemption, so the life is kept but not judged). The frame is cleared only after the life
 * is in the table: a done() elsewhere that finds neither would take the command for unseen.
 */
static __always_inline void nonblock_exit(void *ctx, __u64 cmd, struct io_kiocb *req, __u64 fn,
					  __u32 cmd_op, __u32 series_idx, struct ioucmd_cell *c,
					  struct ioucmd_cpu_frame *f, bool frame, int ret, bool trusted)
{
	struct ioucmd_inflight rec;
	__u64 now;
	__u32 v = 0;

	/* the usual case: nothing happened inside, no done() waiting to be merged */
	if (frame && !f->dirty && (!early_pending || ret == -IOUCMD_EIOCBQUEUED)) {
		if (ret == -IOUCMD_EIOCBQUEUED) {
			rec_from_frame(&rec, f, req, series_idx, cmd_op, trusted);
			rec.life.state = IOUCMD_S_QUEUED;
			rec.life.ret = ret;
			record_life(ctx, cmd, fn, &rec, c, f->issue_ns);
			return;
		}
		if (ret != -IOUCMD_EAGAIN) {
			hist_add(c, IOUCMD_LAT_HANDLER, bpf_ktime_get_ns() - f->issue_ns);
			return;
		}
	}
	now = bpf_ktime_get_ns();
	if (!frame) {
		/* its issue was seen on another CPU only: judge nothing of this life */
		c->c.untracked++;
		f = NULL;
		__builtin_memset(&rec, 0, sizeof(rec));
		ioucmd_on_issue(&rec.life, 0, now);
		rec.life.marks |= IOUCMD_M_UNJUDGED;
		rec.kflags = handler_kflags(req, IOUCMD_KFLAG(IO_URING_F_NONBLOCK), trusted);
		rec.cmd_op = cmd_op;
		rec.series = series_idx;
		rec.user_data = ioucmd_req_user_data(req, trusted);
		rec.first_done_stack = -1;
	} else {
		rec_from_frame(&rec, f, req, series_idx, cmd_op, trusted);
	}
	v |= judge_return(&rec.life, ioucmd_judge_flags(rec.kflags), ret, now);
	if (ret == -IOUCMD_EAGAIN && (ioucmd_req_flags(req, trusted) & req_f_nowait))
		ioucmd_on_eagain_final(&rec.life);	/* REQ_F_NOWAIT: the core fails it at once */
	/* a life that leaves no record meets an early done() here (best effort: see done_early) */
	if (early_pending && ioucmd_life_over(&rec.life) && !rec.life.done_count)
		v |= take_early(cmd, &rec.life, c);
	if (ret != -IOUCMD_EIOCBQUEUED && ret != -IOUCMD_EAGAIN)
		hist_add(c, IOUCMD_LAT_HANDLER, now - rec.life.issue_ns);
	else if (rec.life.done_count && rec.life.done_ns >= rec.life.issue_ns)
		hist_add(c, IOUCMD_LAT_ISSUE_DONE, rec.life.done_ns - rec.life.issue_ns);
	if (v)
		emit(ctx, v, cmd, fn, &rec, 0, 0, ret);
	/* a life that goes on, or one that saw a done(): a later done() must find it */
	if (!ioucmd_life_over(&rec.life) || rec.life.done_count)
		record_life(ctx, cmd, fn, &rec, c, now);
}

static __always_inline int issue_exit(void *ctx, __u64 cmd, struct io_kiocb *req, __u32 kflags,
				      int ret, bool trusted)
{
	struct ioucmd_cpu_frame *f = NULL;
	struct ioucmd_cell *c;
	__u32 series_idx, cmd_op;
	bool blocking, frame;
	__u64 fn;

	blocking = !(kflags & IOUCMD_KFLAG(IO_URING_F_NONBLOCK));
	if (!blocking)
		f = frame_of(cmd, bpf_get_current_task());
	frame = f;
	fn = ioucmd_req_handler(req, trusted);
	cmd_op = ioucmd_req_cmd_op(req, trusted);
	if (!wanted(req, fn, cmd_op))
		goto out;
	series_idx = series_of(fn, cmd_op);
	c = cell_of(series_idx);
	if (!c)
		goto out;
	if (ret != -IOUCMD_EIOCBQUEUED && ret != -IOUCMD_EAGAIN)
		ret = handler_ret(req, ret, trusted);
	LIFE_EVENT(IOUCMD_EV_RETURN, cmd, fn, cmd_op, series_idx, ioucmd_req_user_data(req, trusted),
		   ret, 0);
	count_return(c, ret);
	if (blocking)
		blocking_exit(ctx, cmd, fn, c, ioucmd_judge_flags(handler_kflags(req, kflags, trusted)),
			      ret);
	else
		nonblock_exit(ctx, cmd, req, fn, cmd_op, series_idx, c, f, frame, ret, trusted);
out:
	if (f)
		f->cmd = 0;
	return 0;
}

SEC("?fentry/io_uring_cmd")
int BPF_PROG(on_issue, struct io_kiocb *req, unsigned int issue_flags)
{
	__u64 cmd = 0;

	bpf_get_func_arg(ctx, 0, &cmd);	/* the pointer as a number, to hash */
	return issue_entry(cmd, req, issue_flags, true);
}

SEC("?fexit/io_uring_cmd")
int BPF_PROG(on_issue_ret, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	__u64 cmd = 0;

	bpf_get_func_arg(ctx, 0, &cmd);
	return issue_exit(ctx, cmd, req, issue_flags, ret, true);
}

SEC("?kprobe/io_uring_cmd")
int BPF_KPROBE(kp_on_issue, struct io_kiocb *req, unsigned int issue_flags)
{
	return issue_entry((__u64)req, req, issue_flags, false);
}

SEC("?kretprobe/io_uring_cmd")
int BPF_KRETPROBE(kp_on_issue_ret, int ret)
{
	__u64 task = bpf_get_current_task(), cmd;
	struct ioucmd_cpu_frame *f = frame_here(0, task);
	struct blocking_issue *b;
	__u32 kflags;

	if (!f) {
		b = bpf_map_lookup_elem(&blocking_issues, &task);
		if (b) {
			cmd = b->cmd;
			kflags = b->kflags;
			bpf_map_delete_elem(&blocking_issues, &task);
			return issue_exit(ctx, cmd, (struct io_kiocb *)cmd, kflags, ret, false);
		}
		/* a NONBLOCK issue whose handler moved to another CPU */
		f = frame_at(frame_anywhere(0, task));
	}
	if (!f)
		return 0;
	cmd = f->cmd;
	kflags = f->kflags;
	issue_exit(ctx, cmd, (struct io_kiocb *)cmd, kflags, ret, false);
	f->cmd = 0;
	return 0;
}

/* ---- completion: io_uring_cmd_done / __io_uring_cmd_done (resolved by BTF at load) ---------- */

/* is cmd being issued right now (a NONBLOCK issue whose return has not come)? */
static __always_inline bool issue_in_flight(__u64 cmd, __u64 *issue_ns)
{
	struct ioucmd_cpu_frame *f = frame_at(frame_anywhere(cmd, 0));

	*issue_ns = f ? f->issue_ns : 0;
	return f;
}

/*
 * done() before its issue returned, on another CPU: kept in the early map for the issue's
 * return to merge. Both sides publish first and look second, so at least one sees the other;
 * whoever deletes the early entry merges it.
 */
static __always_inline void done_early(void *ctx, __u64 cmd, __u64 fn, __u32 cmd_op,
				       __u32 series_idx, struct ioucmd_call *call, __u32 call_kflags,
				       __u64 issue_ns, bool held)
{
	struct ioucmd_inflight e = {}, *old, *r;
	bool busy;
	__u32 v;
	long err;

	e.key = cmd;
	e.cmd_op = cmd_op;
	e.series = series_idx;
	e.first_done_stack = cfg.first_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -1;
	v = judge_done(&e.life, call);
	e.life.state = IOUCMD_S_DONE_EARLY;
	__sync_fetch_and_add(&early_pending, 1);
	err = (int)bpf_map_update_elem(&early, &cmd, &e, BPF_NOEXIST);	/* int: 6.1's map ops */
	if (err == -IOUCMD_EEXIST) {
		__sync_fetch_and_add(&early_pending, -1);
		old = bpf_map_lookup_elem(&early, &cmd);
		/*
		 * held: the life's issue time was read without its lock and may be an older
		 * life's, so an entry already there proves no second done(): replace it
		 */
		if (old && !held && old->life.done_ns >= issue_ns) {
			/* a second early done() of the same issue */
			v = judge_done(&old->life, call);
			e = *old;
		} else if (old) {
			/* left by a life whose issue was never matched: this one replaces it */
			*old = e;
		}
	} else if (err) {
		__sync_fetch_and_add(&early_pending, -1);
		r = NULL;
		goto untracked;
	}
	if (v)
		emit(ctx, v, cmd, fn, &e, call, call_kflags, call->res);
	/* the issue may have returned meanwhile, and missed the entry: then this side merges */
	r = lives_lock(cmd, call->now_ns, &busy);
	if (!r)
		return;
	if (r->life.issue_ns >= issue_ns && !ioucmd_life_over(&r->life) &&
	    !bpf_map_delete_elem(&early, &cmd)) {
		__sync_fetch_and_add(&early_pending, -1);
		v = judge_merge_early(&r->life, &e.life);
		if (r->life.state == IOUCMD_S_QUEUED)
			r->life.state = IOUCMD_S_DONE;
		if (v)
			emit(ctx, v, cmd, fn, r, call, call_kflags, call->res);
	}
	rec_unlock(r, cmd);
	return;
untracked:
	{
		struct ioucmd_cell *c = cell_of(series_idx);

		if (c)
			c->c.untracked++;
	}
}

static __always_inline int done_common(void *ctx, __u64 cmd, struct io_kiocb *req, __s64 res,
				       __u64 res2, __u32 kflags, bool trusted, bool irqs_off)
{
	/* first, as at the issue: the latency ends where done() begins */
	__u64 now = bpf_ktime_get_ns(), issue_ns;
	struct ioucmd_call call = { .now_ns = now };
	struct io_ring_ctx *ring = ioucmd_req_ctx(req, trusted);
	struct ioucmd_inflight *r;
	struct ioucmd_cpu_frame *f;
	__u64 *cancel_ring = this_cancel_ctx();
	__u32 series_idx, cmd_op, ring_flags, v;
	struct ioucmd_cell *c;
	bool busy, fresh, full;
	__u64 fn;

	fn = ioucmd_req_handler(req, trusted);
	cmd_op = ioucmd_req_cmd_op(req, trusted);
	if (!wanted(req, fn, cmd_op))
		return 0;
	series_idx = series_of(fn, cmd_op);
	c = cell_of(series_idx);
	if (!c)
		return 0;
	c->c.done++;
	LIFE_EVENT(IOUCMD_EV_DONE, cmd, fn, cmd_op, series_idx, ioucmd_req_user_data(req, trusted),
		   (__s32)res, kflags);
	ring_flags = ioucmd_ring_flags(ring, trusted);
	call.res = (__s32)res;
	call.res2 = res2;
	call.flags = ioucmd_judge_flags(kflags);
	call.kernel = cfg.kernel;
	call.owns_uring_lock = ioucmd_owns_uring_lock(ring, trusted);
	call.atomic = ioucmd_preempt_count() > (int)cfg.preempt_bias || irqs_off;
	call.ring_cqe32 = !!(ring_flags & IOUCMD_IORING_SETUP_CQE32);
	call.ring_iopoll = !!(ring_flags & IOUCMD_IORING_SETUP_IOPOLL);
	/*
	 * Inside the command's own NONBLOCK issue, on this CPU: its frame holds the life. (A
	 * handler that moved CPUs before calling done() is judged from outside its frame: the
	 * lock owner then stands for the frame's flags.)
	 */
	/* a timer or completion interrupt on the issuing task is not inside its issue */
	f = ioucmd_in_interrupt() ? NULL : frame_here(cmd, bpf_get_current_task());
	if (f) {
		struct ioucmd_inflight rec;

		call.frame = IOUCMD_FRAME_HANDLER;
		call.frame_flags = ioucmd_judge_flags(f->kflags);
		v = judge_done(frame_life(f), &call);
		if (v) {
			rec_from_frame(&rec, f, req, series_idx, cmd_op, trusted);
			emit(ctx, v, cmd, fn, &rec, &call, kflags, call.res);
		}
		return 0;
	}
	if (cancel_ring && *cancel_ring && *cancel_ring == (__u64)ring) {
		/* the ring-exit cancel loop: the core gave the handler CANCEL | COMPLETE_DEFER */
		call.frame = IOUCMD_FRAME_CANCEL;
		call.frame_flags = IOUCMD_F_CANCEL | IOUCMD_F_COMPLETE_DEFER;
	}
	r = lives_lock(cmd, now, &busy);
	if (busy)
		goto held;
	if (r && r->life.state == IOUCMD_S_IN_HANDLER && r->task == bpf_get_current_task() &&
	    !ioucmd_in_interrupt()) {
		/* inside its own blocking issue */
		call.frame = IOUCMD_FRAME_HANDLER;
		call.frame_flags = r->life.issue_flags;
	}
	if (!r || ioucmd_life_over(&r->life)) {
		/* nothing live here: is its issue still running on another CPU? */
		if (issue_in_flight(cmd, &issue_ns)) {
			if (r)
				rec_unlock(r, cmd);
			done_early(ctx, cmd, fn, cmd_op, series_idx, &call, kflags, issue_ns, false);
			return 0;
		}
		if (!r) {
			/* the issue may have returned between the two looks: look once more */
			r = lives_lock(cmd, now, &busy);
			if (busy)
				goto held;
		}
	}
	if (!r) {
		/* an issue never seen (before the trace began): keep the completion, for a second */
		r = lives_take(cmd, now, &busy, &fresh, &full);
		c->c.untracked++;
		if (!r)
			return 0;
		/* a fresh life in place (key and owner are the lock): no copy on the stack, which
		 * 6.1's verifier counts across the global functions called from here
		 */
		__builtin_memset(&r->life, 0, sizeof(r->life));
		r->user_data = ioucmd_req_user_data(req, trusted);
		r->task = 0;
		r->lost_ns = 0;
		r->kflags = 0;
		r->cmd_op = cmd_op;
		r->series = series_idx;
		r->pid = 0;
		r->first_done_stack = -1;
	}
	v = judge_done(&r->life, &call);
	if (r->life.done_count == 1 && r->life.state == IOUCMD_S_DONE) {
		hist_add(c, IOUCMD_LAT_ISSUE_DONE, now - r->life.issue_ns);
		/* the first completion's stack, for a double completion report: a stack walk per
		 * command, so only when asked (--stacks)
		 */
		if (cfg.first_stacks)
			r->first_done_stack = bpf_get_stackid(ctx, &stacks, 0);
	}
	if (v)
		emit(ctx, v, cmd, fn, r, &call, kflags, call.res);
	rec_unlock(r, cmd);
	return 0;
held:
	/*
	 * Its record is held: by what this done() interrupted on this CPU (its issue's return,
	 * say), or by a holder stalled on another. It waits in the early map, which the holder
	 * looks at once it lets go.
	 */
	done_early(ctx, cmd, fn, cmd_op, series_idx, &call, kflags, lives_peek_issue(cmd), true);
	return 0;
}

/*
 * io_uring_cmd_done(), or __io_uring_cmd_done() on 6.18+ (same first four arguments). Its
 * argument is the io_uring_cmd: the io_kiocb around it is read through bpf_core_cast() (6.2+),
 * or, on 6.1, through bpf_probe_read (on_done_probe); the loader picks one.
 */
#define IOUCMD_DONE_PROG(name, req_of, trusted)						\
SEC("?fentry")										\
int BPF_PROG(name, struct io_uring_cmd *cmd, __s64 res, __u64 res2)			\
{											\
	__u64 key = 0, flags_arg = 0;							\
											\
	bpf_get_func_arg(ctx, 0, &key);							\
	/* 6.1.0 .. 6.1.20 had no issue_flags argument */				\
	if (bpf_get_func_arg_cnt(ctx) >= 4)						\
		bpf_get_func_arg(ctx, 3, &flags_arg);					\
	return done_common(ctx, key, req_of(cmd), res, res2, (__u32)flags_arg, trusted, false);	\
}

#define REQ_BY_CAST(cmd)	bpf_core_cast(cmd, struct io_kiocb)
#define REQ_BY_PROBE(cmd)	((struct io_kiocb *)(cmd))
IOUCMD_DONE_PROG(on_done, REQ_BY_CAST, true)
IOUCMD_DONE_PROG(on_done_probe, REQ_BY_PROBE, false)

SEC("?kprobe")
int BPF_KPROBE(kp_on_done, struct io_uring_cmd *cmd, long res, __u64 res2, unsigned int flags)
{
	return done_common(ctx, (__u64)cmd, (struct io_kiocb *)cmd, res, res2, flags, false,
			   ioucmd_regs_irqs_off(ctx));
}

/* ---- io_uring_cmd_mark_cancelable (6.7+) ------------------------------------------------- */

static __always_inline int mark_cancelable_common(void *ctx, __u64 cmd, struct io_kiocb *req,
						  __u32 kflags, bool trusted, bool irqs_off)
{
	struct ioucmd_call call = { .now_ns = bpf_ktime_get_ns() };
	struct io_ring_ctx *ring = ioucmd_req_ctx(req, trusted);
	struct ioucmd_cpu_frame *f;
	struct ioucmd_inflight *r, rec;
	__u32 series_idx, cmd_op, v;
	struct ioucmd_cell *c;
	bool busy;
	__u64 fn;

	fn = ioucmd_req_handler(req, trusted);
	cmd_op = ioucmd_req_cmd_op(req, trusted);
	if (!wanted(req, fn, cmd_op))
		return 0;
	series_idx = series_of(fn, cmd_op);
	c = cell_of(series_idx);
	if (!c)
		return 0;
	c->c.mark_cancelable++;
	call.flags = ioucmd_judge_flags(kflags);
	call.kernel = cfg.kernel;
	call.owns_uring_lock = ioucmd_owns_uring_lock(ring, trusted);
	call.atomic = ioucmd_preempt_count() > (int)cfg.preempt_bias || irqs_off;
	f = ioucmd_in_interrupt() ? NULL : frame_here(cmd, bpf_get_current_task());
	if (f) {
		call.frame = IOUCMD_FRAME_HANDLER;
		call.frame_flags = ioucmd_judge_flags(f->kflags);
		v = judge_mark_cancelable(frame_life(f), &call);
		if (v) {
			rec_from_frame(&rec, f, req, series_idx, cmd_op, trusted);
			emit(ctx, v, cmd, fn, &rec, &call, kflags, 0);
		}
		return 0;
	}
	r = lives_lock(cmd, call.now_ns, &busy);
	if (!r)
		return 0;
	if (r->life.state == IOUCMD_S_IN_HANDLER && r->task == bpf_get_current_task() &&
	    !ioucmd_in_interrupt()) {
		call.frame = IOUCMD_FRAME_HANDLER;
		call.frame_flags = r->life.issue_flags;
	}
	v = judge_mark_cancelable(&r->life, &call);
	if (v)
		emit(ctx, v, cmd, fn, r, &call, kflags, 0);
	rec_unlock(r, cmd);
	return 0;
}

/* 6.7+ only, so bpf_core_cast() is always there */
SEC("?fentry/io_uring_cmd_mark_cancelable")
int BPF_PROG(on_mark_cancelable, struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	__u64 key = 0;

	bpf_get_func_arg(ctx, 0, &key);
	return mark_cancelable_common(ctx, key, REQ_BY_CAST(cmd), issue_flags, true, false);
}

SEC("?kprobe/io_uring_cmd_mark_cancelable")
int BPF_KPROBE(kp_on_mark_cancelable, struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return mark_cancelable_common(ctx, (__u64)cmd, (struct io_kiocb *)cmd, issue_flags, false,
				      ioucmd_regs_irqs_off(ctx));
}

/* ---- ring exit: io_uring_try_cancel_uring_cmd() calls each cancelable command's handler with
 * IO_URING_F_CANCEL (6.7+), not through the dispatcher: mark each such life cancel-called ---- */

struct cancel_walk {
	__u64 node;		/* struct hlist_node * of the next request */
	__u64 owner;		/* the task (6.12) or io_uring_task (6.14+) served; 0: all */
	__u64 now;
	__u32 node_off;		/* offsetof(struct io_kiocb, hash_node) */
};

static long cancel_mark_one(__u64 i, void *data)
{
	struct cancel_walk *w = data;
	struct io_kiocb *req;
	struct ioucmd_inflight *r;
	struct ioucmd_cell *c;
	__u64 cmd, fn;
	__u32 cmd_op, cmd_flags;
	bool busy;

	struct hlist_node *node = (struct hlist_node *)w->node;

	if (!node)
		return 1;
	cmd = w->node - w->node_off;
	req = (struct io_kiocb *)cmd;
	w->node = (__u64)BPF_CORE_READ(node, next);
	cmd_flags = BPF_CORE_READ((struct io_uring_cmd *)req, flags);
	if (!(cmd_flags & IOUCMD_URING_CMD_CANCELABLE))
		return 0;
	if (w->owner && ioucmd_req_owner(req) != w->owner)
		return 0;
	fn = ioucmd_req_handler(req, false);
	cmd_op = ioucmd_req_cmd_op(req, false);
	if (!wanted(req, fn, cmd_op))
		return 0;
	c = cell_of(series_of(fn, cmd_op));
	if (c) {
		c->c.cancel_calls++;
		c->c.issued++;
	}
	r = lives_lock(cmd, w->now, &busy);
	if (r) {
		ioucmd_on_issue(&r->life, IOUCMD_F_CANCEL | IOUCMD_F_COMPLETE_DEFER, w->now);
		rec_unlock(r, cmd);
	}
	return 0;
}

static __always_inline int cancel_begin(struct io_ring_ctx *ring, __u64 owner, bool cancel_all)
{
	__u64 *ring_here = this_cancel_ctx();
	struct cancel_walk w = {
		.node = (__u64)BPF_CORE_READ(ring, cancelable_uring_cmd.first),
		.owner = cancel_all ? 0 : owner,
		.now = bpf_ktime_get_ns(),
		.node_off = bpf_core_field_offset(struct io_kiocb, hash_node),
	};

	if (ring_here)
		*ring_here = (__u64)ring;
	bpf_loop(1 << 16, cancel_mark_one, &w, 0);
	return 0;
}

static __always_inline int cancel_end(void)
{
	__u64 *ring_here = this_cancel_ctx();

	if (ring_here)
		*ring_here = 0;
	return 0;
}

SEC("?fentry/io_uring_try_cancel_uring_cmd")
int BPF_PROG(on_cancel_begin, struct io_ring_ctx *ring, void *owner, bool cancel_all)
{
	__u64 o = 0;

	bpf_get_func_arg(ctx, 1, &o);
	return cancel_begin(ring, o, cancel_all);
}

SEC("?fexit/io_uring_try_cancel_uring_cmd")
int BPF_PROG(on_cancel_end)
{
	return cancel_end();
}

SEC("?kprobe/io_uring_try_cancel_uring_cmd")
int BPF_KPROBE(kp_on_cancel_begin, struct io_ring_ctx *ring, void *owner, bool cancel_all)
{
	return cancel_begin(ring, (__u64)owner, cancel_all);
}

SEC("?kretprobe/io_uring_try_cancel_uring_cmd")
int BPF_KRETPROBE(kp_on_cancel_end)
{
	return cancel_end();
}

/* ---- --cqes: the CQE of every IORING_OP_URING_CMD request (io_uring_complete) -------------- */

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(on_cqe, void *ring, void *req_arg)
{
	struct io_kiocb *req = req_arg;
	struct ioucmd_cell *c;
	__u32 series_idx, cmd_op;
	__u64 fn;

	/* aux and multishot CQEs carry no request; every other opcode is not ours */
	if (!req || !ioucmd_is_uring_cmd_op(BPF_CORE_READ(req, opcode)))
		return 0;
	fn = ioucmd_req_handler(req, false);
	cmd_op = ioucmd_req_cmd_op(req, false);
	if (!wanted(req, fn, cmd_op))
		return 0;
	series_idx = series_of(fn, cmd_op);
	c = cell_of(series_idx);
	if (c)
		c->c.cqes++;
	LIFE_EVENT(IOUCMD_EV_CQE, (__u64)req, fn, cmd_op, series_idx,
		   ioucmd_req_user_data(req, false), 0, 0);
	return 0;
}
