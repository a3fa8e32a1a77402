// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd's verifier: follows every command of the traced ->uring_cmd handlers from issue to
 * completion and judges it with the state machine in cmd_state.h.
 *
 * Cost model: a command completed inside its handler lives only in the task's frame (task
 * storage) and per-CPU counters; only commands that return -EIOCBQUEUED or -EAGAIN enter the
 * preallocated in-flight hash map. Violations go out on a ring buffer and, so that they survive
 * a kernel the bug is about to bring down, to the trace buffer a panic dumps (bpf_printk).
 *
 * Concurrency: a record is read and written only under its lock (rec_lock.bpf.h), updated in
 * place and never replaced while it may be in use, and deleted only by its lock's holder.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "common.bpf.h"
#include "rec_lock.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define IOUCMD_EEXIST	17	/* bpf_map_update_elem(BPF_NOEXIST) found the key */

/* commands inside a done()-but-not-posted or done-before-return window: lets hot paths skip
 * the in-flight map while there are none
 */
__u64 done_pending;
__u64 early_pending;
/* -EAGAIN returns whose reissue (or -EAGAIN CQE, when the core gives up) is still to come */
__u64 eagain_pending;

struct frame {
	__u64 cmd;		/* command whose handler this task is in */
	__u64 entry_ns;
	__u64 tw_cmd;		/* command whose task-work callback this task runs */
	__u32 kind;		/* IOUCMD_FRAME_HANDLER or IOUCMD_FRAME_CANCEL */
	__u32 flags;		/* canonical flags the handler was given */
	__u32 tw_flags;
	__u32 tw_done;		/* the callback of tw_cmd called done() */
	struct ioucmd_inflight rec;	/* the life of frame.cmd */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOUCMD_INFLIGHT_MAX);
	__type(key, __u64);
	__type(value, struct ioucmd_inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, IOUCMD_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* which traced handler serves this command's file, or -1 (kprobes: untrusted pointers) */
static __always_inline int slot_of(struct io_uring_cmd *cmd)
{
	return slot_of_file(BPF_CORE_READ(cmd, file));
}

/*
 * -p, -c, --comm: is this command one the user asked for? Judged from the request itself (its
 * submitter, its cmd_op), so that done() in a kworker is filtered like the issue was. With no
 * filter set the verifier drops all of it (cfg is read-only data).
 */
static __always_inline bool cmd_wanted(struct io_uring_cmd *cmd)
{
	struct task_struct *task;
	char comm[IOUCMD_COMM_LEN];

	if (!cfg.filter_pid && !cfg.filter_cmd_op_set && !cfg.filter_comm[0])
		return true;
	if (cfg.filter_cmd_op_set && BPF_CORE_READ(cmd, cmd_op) != cfg.filter_cmd_op)
		return false;
	if (!cfg.filter_pid && !cfg.filter_comm[0])
		return true;
	task = ioucmd_req_task(cmd);
	if (cfg.filter_pid && BPF_CORE_READ(task, tgid) != (int)cfg.filter_pid)
		return false;
	if (cfg.filter_comm[0] &&
	    (bpf_core_read(comm, sizeof(comm), &task->comm) || !comm_wanted(comm)))
		return false;
	return true;
}

static __always_inline void count_untracked(__u32 slot)
{
	struct ioucmd_counters *c = counters_of(slot);

	if (c)
		c->untracked++;
}

/* key's record, locked; NULL when there is none (or it could not be locked: *busy) */
static __always_inline struct ioucmd_inflight *rec_get(__u64 key, bool *busy)
{
	struct ioucmd_inflight *r = bpf_map_lookup_elem(&inflight, &key);

	*busy = false;
	if (!r)
		return NULL;
	switch (rec_lock(r, key)) {
	case REC_LOCKED:
		return r;
	case REC_BUSY:
		*busy = true;
		return NULL;
	default:
		return NULL;
	}
}

/* a locked record's end: deleted by its holder, so no one else writes into a recycled one */
static __always_inline void rec_delete(struct ioucmd_inflight *r, __u64 key)
{
	bpf_map_delete_elem(&inflight, &key);
	rec_unlock(r);
}

/*
 * fentry and tp_btf arguments are trusted BTF pointers: plain loads, no bpf_probe_read call.
 * The hot paths take their inputs from these in the fentry wrappers.
 */
#define FN_OF(cmd)	((__u64)(cmd)->file->f_op->uring_cmd)

static __always_inline void count_violations(__u32 slot, __u32 v)
{
	struct ioucmd_counters *c = counters_of(slot);
	int r;

	if (!c)
		return;
	for (r = 0; r < IOUCMD_RULE__COUNT; r++)
		if (v & IOUCMD_V(r))
			c->violations[r]++;
}

static __always_inline void emit(void *ctx, __u32 v, struct io_uring_cmd *cmd,
				 const struct ioucmd_inflight *rec, const struct ioucmd_call *call,
				 __s32 res)
{
	struct ioucmd_event *e;
	__s32 stack = bpf_get_stackid(ctx, &stacks, 0);

	count_violations(rec->slot, v);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		struct ioucmd_counters *c = counters_of(rec->slot);

		if (c)
			c->lost_events++;
		return;
	}
	event_fill(e, v, (__u64)cmd, rec->cmd_op, rec->slot);
	e->user_data = ioucmd_user_data(cmd);
	e->issue_flags = rec->life.issue_flags;
	e->done_count = rec->life.done_count;
	e->state = rec->life.state;
	e->res = res;
	e->stack_id = stack;
	/* the earlier completion's stack, where there was an earlier completion */
	e->first_stack_id = (v & IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION)) && rec->life.done_count > 1 ?
			    rec->first_done_stack : -1;
	if (call) {
		e->flags_seen = call->flags;
		e->flags_expected = ioucmd_expected_flags(call);
		e->frame = call->frame;
		e->res2 = call->res2;
		e->owns_uring_lock = call->owns_uring_lock;
		e->atomic = call->atomic;
		e->ring_cqe32 = call->ring_cqe32;
	}
	bpf_ringbuf_submit(e, 0);
}

/* ---- the handler: fentry / fexit ---------------------------------------------------------- */

static __always_inline int handler_entry(__u32 slot, struct io_uring_cmd *cmd, __u32 kflags,
					 __u32 cmd_op)
{
	__u32 flags;
	struct ioucmd_counters *c;
	struct ioucmd_inflight *old;
	bool busy = false, reissue = false;
	struct frame *f;
	/* first: latency is measured from the handler's first instruction, not ours */
	__u64 now = bpf_ktime_get_ns();

	if (!cmd_wanted(cmd))
		return 0;
	flags = ioucmd_canon_flags(kflags);
	c = counters_of(slot);
	if (c) {
		c->issued++;
		if (flags & IOUCMD_F_CANCEL)
			c->cancel_calls++;
	}
	f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f)
		return 0;
	f->cmd = (__u64)cmd;
	f->entry_ns = now;
	f->flags = flags;
	if (flags & IOUCMD_F_CANCEL) {
		/* the cancel call judges the queued life in the map */
		f->kind = IOUCMD_FRAME_CANCEL;
		f->rec.life.state = IOUCMD_S_FREE;
		old = rec_get(f->cmd, &busy);
		if (old) {
			ioucmd_on_issue(&old->life, flags, now);
			/* what was in flight when the call began, for a done() inside it */
			f->rec = *old;
			rec_unlock(old);
			f->rec.lock = 0;
		}
		return 0;
	}
	f->kind = IOUCMD_FRAME_HANDLER;
	f->rec.life.state = IOUCMD_S_FREE;
	/* a blocking issue may be the reissue of an -EAGAIN: only then look in the map */
	old = NULL;
	if (!(flags & IOUCMD_F_NONBLOCK) && eagain_pending) {
		old = rec_get(f->cmd, &busy);
		if (old && old->life.state == IOUCMD_S_EAGAIN) {
			f->rec.life = old->life;
			ioucmd_on_issue(&f->rec.life, flags, now);
			/*
			 * A reissue runs on an io-wq worker: its completion may reach done() on the
			 * submitter's CPU before this worker's fexit. Let the map say "in the
			 * handler" already, so that such a done() is judged against this issue, not
			 * against the -EAGAIN before it.
			 */
			old->life = f->rec.life;
			reissue = true;
			__sync_fetch_and_add(&eagain_pending, -1);
		}
		if (old)
			rec_unlock(old);
	}
	if (!reissue)
		ioucmd_on_issue(&f->rec.life, flags, now);
	if (busy)
		f->rec.life.marks |= IOUCMD_M_UNJUDGED;	/* maybe a reissue, maybe not */
	f->rec.slot = slot;
	f->rec.cmd_op = cmd_op;
	f->rec.first_done_stack = -1;
	LIFE_EVENT(IOUCMD_EV_ISSUE, (__u64)cmd, ioucmd_user_data(cmd), f->rec.cmd_op, slot, 0, flags);
	return 0;
}

/* the gates that let hot paths skip the map while no record waits for their event */
static __always_inline void pending_add(const struct ioucmd_life *l, __s64 n)
{
	if (l->state == IOUCMD_S_DONE)
		__sync_fetch_and_add(&done_pending, n);
	else if (l->state == IOUCMD_S_EAGAIN)
		__sync_fetch_and_add(&eagain_pending, n);
}

static __always_inline void record_queued(void *ctx, struct frame *f, struct io_uring_cmd *cmd)
{
	__u64 key = (__u64)cmd;
	struct ioucmd_inflight *old;
	struct ioucmd_counters *c;
	bool busy = false;
	__u32 v = 0;
	int err;	/* not long: see below */

	f->rec.key = key;
	f->rec.lock = 0;
	f->rec.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(f->rec.comm, sizeof(f->rec.comm));
	f->rec.user_data = ioucmd_user_data(cmd);
	/*
	 * Only the low 32 bits hold the error on 6.1, whose map ops returned int (widened to
	 * long in 6.5 by d7ba4cc900bf "bpf: return long from bpf_map_ops funcs"): read as int.
	 */
	err = bpf_map_update_elem(&inflight, &key, &f->rec, BPF_NOEXIST);
	if (!err) {
		pending_add(&f->rec.life, 1);
		return;
	}
	old = err == -IOUCMD_EEXIST ? rec_get(key, &busy) : NULL;
	if (!old) {
		c = counters_of(f->rec.slot);
		if (c && err != -IOUCMD_EEXIST)
			c->inflight_full++;
		else if (c)
			c->untracked++;	/* busy, or deleted under us: this life goes unjudged */
		return;
	}
	/*
	 * only a done() since this issue began belongs to it; older ones are stale leftovers.
	 * It is kept aside (DONE_EARLY), or, for a reissue, in the record its entry published.
	 */
	if (old->life.done_count && old->life.done_ns >= f->rec.life.issue_ns &&
	    (old->life.state == IOUCMD_S_DONE_EARLY ||
	     (old->life.state == IOUCMD_S_IN_HANDLER && (old->life.marks & IOUCMD_M_REISSUED)))) {
		bool posted = old->life.marks & IOUCMD_M_POSTED;

		/* done() on another CPU beat this return */
		__sync_fetch_and_add(&early_pending, -1);
		v = ioucmd_merge_early(&f->rec.life, &old->life);
		if (posted) {
			/* and so did its CQE (6.1 posts inside done()): nothing is left to wait for */
			rec_delete(old, key);
			if (v)
				emit(ctx, v, cmd, &f->rec, 0, f->rec.life.ret);
			return;
		}
		if (f->rec.life.state == IOUCMD_S_QUEUED)
			f->rec.life.state = IOUCMD_S_DONE;
	} else if (old->life.state == IOUCMD_S_DONE) {
		/* the previous life of a recycled io_kiocb, completed but not yet swept */
		__sync_fetch_and_add(&done_pending, -1);
	} else if (old->life.state == IOUCMD_S_DONE_EARLY) {
		__sync_fetch_and_add(&early_pending, -1);
		count_untracked(f->rec.slot);
	}
	/* in place: a done() on another CPU may hold a pointer to this element */
	rec_store(old, &f->rec);
	pending_add(&f->rec.life, 1);
	rec_unlock(old);
	if (v)
		emit(ctx, v, cmd, &f->rec, 0, f->rec.life.ret);
}

static __always_inline int handler_exit(void *ctx, __u32 slot, struct io_uring_cmd *cmd, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ioucmd_counters *c;
	struct ioucmd_inflight *early;
	struct frame *f;
	bool busy;
	__u64 now;
	__u32 v = 0;

	f = bpf_task_storage_get(&frames, task, 0, 0);
	if (!f || f->cmd != (__u64)cmd)
		return 0;
	f->cmd = 0;
	if (f->kind == IOUCMD_FRAME_CANCEL)
		return 0;
	now = bpf_ktime_get_ns();
	if (early_pending && ret == -IOUCMD_EIOCBQUEUED) {
		/* merged in record_queued() */
	} else if (early_pending) {
		early = rec_get((__u64)cmd, &busy);
		if (early && early->life.done_count && early->life.done_ns >= f->rec.life.issue_ns &&
		    (early->life.state == IOUCMD_S_DONE_EARLY ||
		     (early->life.state == IOUCMD_S_IN_HANDLER &&
		      (early->life.marks & IOUCMD_M_REISSUED)))) {
			v |= ioucmd_merge_early(&f->rec.life, &early->life);
			__sync_fetch_and_add(&early_pending, -1);
			rec_delete(early, (__u64)cmd);
		} else if (early) {
			rec_unlock(early);
		}
		if (busy)
			f->rec.life.marks |= IOUCMD_M_UNJUDGED;
	}
	v |= ioucmd_on_return(&f->rec.life, f->flags, ret, now);
	LIFE_EVENT(IOUCMD_EV_RETURN, (__u64)cmd, ioucmd_user_data(cmd), f->rec.cmd_op, slot, ret, 0);
	c = counters_of(slot);
	if (c) {
		if (ret == -IOUCMD_EIOCBQUEUED)
			c->queued++;
		else if (ret == -IOUCMD_EAGAIN)
			c->eagain++;
		else
			c->sync_returns++;
	}
	f->rec.op_idx = op_index(slot, f->rec.cmd_op);
	if (ret == -IOUCMD_EIOCBQUEUED || ret == -IOUCMD_EAGAIN) {
		record_queued(ctx, f, cmd);
	} else if (f->rec.life.marks & IOUCMD_M_REISSUED) {
		/* a reissue that completed synchronously: its -EAGAIN record is done with */
		early = rec_get((__u64)cmd, &busy);
		if (early)
			rec_delete(early, (__u64)cmd);
	}
	hist_add(slot, f->rec.op_idx, IOUCMD_LAT_HANDLER, now - f->entry_ns);
	if (f->rec.life.done_count && f->rec.life.done_ns >= f->rec.life.issue_ns)
		hist_add(slot, f->rec.op_idx, IOUCMD_LAT_ISSUE_DONE,
			 f->rec.life.done_ns - f->rec.life.issue_ns);
	if (v)
		emit(ctx, v, cmd, &f->rec, 0, ret);
	return 0;
}

/* a kretprobe sees only the return value: the command is the one this task's frame holds */
static __always_inline int handler_kretprobe(void *ctx, __u32 slot, int ret)
{
	struct frame *f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0, 0);

	if (!f || !f->cmd)
		return 0;
	return handler_exit(ctx, slot, (struct io_uring_cmd *)f->cmd, ret);
}

/*
 * One fentry/fexit pair per handler slot, and a kprobe/kretprobe pair for kernels without
 * fentry; the loader sets the targets and autoloads one kind for nr_handlers slots.
 */
#define IOUCMD_HANDLER_PROGS(N)								\
SEC("?fentry")										\
int BPF_PROG(handler_entry##N, struct io_uring_cmd *cmd, unsigned int issue_flags)	\
{											\
	return handler_entry(N, cmd, issue_flags, cmd->cmd_op);				\
}											\
SEC("?fexit")										\
int BPF_PROG(handler_exit##N, struct io_uring_cmd *cmd, unsigned int issue_flags, int ret) \
{											\
	return handler_exit(ctx, N, cmd, ret);						\
}											\
SEC("?kprobe")										\
int BPF_KPROBE(kp_handler_entry##N, struct io_uring_cmd *cmd, unsigned int issue_flags) \
{											\
	return handler_entry(N, cmd, issue_flags, BPF_CORE_READ(cmd, cmd_op));		\
}											\
SEC("?kretprobe")									\
int BPF_KRETPROBE(kp_handler_exit##N, int ret)						\
{											\
	return handler_kretprobe(ctx, N, ret);						\
}

IOUCMD_HANDLER_PROGS(0)
IOUCMD_HANDLER_PROGS(1)
IOUCMD_HANDLER_PROGS(2)
IOUCMD_HANDLER_PROGS(3)
IOUCMD_HANDLER_PROGS(4)
IOUCMD_HANDLER_PROGS(5)
IOUCMD_HANDLER_PROGS(6)
IOUCMD_HANDLER_PROGS(7)

/* ---- completion: io_uring_cmd_done / __io_uring_cmd_done (resolved by BTF at load) ---------- */

static __always_inline void fill_call(void *ctx, struct ioucmd_call *call, struct io_uring_cmd *cmd,
				      __s64 res, __u64 res2, __u32 flags_arg)
{
	struct io_ring_ctx *ring = ioucmd_ctx(cmd);

	call->res = (__s32)res;
	call->res2 = res2;
	call->flags = ioucmd_canon_flags(flags_arg);
	call->kernel = cfg.kernel;
	call->owns_uring_lock = ioucmd_owns_uring_lock(ring);
	call->atomic = ioucmd_preempt_count() > (int)cfg.preempt_bias;
	call->ring_cqe32 = ioucmd_ring_cqe32(ring);
}

/* where is this call, relative to cmd? */
static __always_inline struct frame *frame_of(struct ioucmd_call *call, __u64 cmd)
{
	struct frame *f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0, 0);

	call->frame = IOUCMD_FRAME_NONE;
	if (!f)
		return 0;
	if (f->cmd == cmd) {
		call->frame = f->kind;
		call->frame_flags = f->flags;
	} else if (f->tw_cmd == cmd) {
		call->frame = IOUCMD_FRAME_TASK_WORK;
		call->frame_flags = f->tw_flags;
	}
	return f;
}

/* done() for a command whose life this probe knows is over: completed once and posted */
static __always_inline void done_after_posted(void *ctx, struct io_uring_cmd *cmd,
					      struct ioucmd_inflight *life, struct ioucmd_call *call)
{
	__u32 v;

	life->life.state = IOUCMD_S_DONE;
	life->life.done_count = 1;
	v = ioucmd_on_done(&life->life, call);
	if (v)
		emit(ctx, v, cmd, life, call, call->res);
}

static __always_inline int done_common(void *ctx, struct io_uring_cmd *cmd, __s64 res, __u64 res2,
				       __u32 flags_arg, int slot)
{
	struct ioucmd_inflight *rec, early = {};
	struct ioucmd_call call = {};
	struct ioucmd_counters *c;
	struct frame *f;
	__u64 key = (__u64)cmd;
	bool busy;
	__u32 v;

	if (slot < 0)
		return 0;
	/* first, as at the handler's entry: the latency ends where done() begins */
	call.now_ns = bpf_ktime_get_ns();
	if (!cmd_wanted(cmd))
		return 0;
	c = counters_of(slot);
	if (c)
		c->done++;
	fill_call(ctx, &call, cmd, res, res2, flags_arg);
	LIFE_EVENT(IOUCMD_EV_DONE, key, ioucmd_user_data(cmd), BPF_CORE_READ(cmd, cmd_op), slot,
		   call.res, call.flags);
	f = frame_of(&call, key);
	if (f && call.frame == IOUCMD_FRAME_HANDLER) {
		v = ioucmd_on_done(&f->rec.life, &call);
		if (v)
			emit(ctx, v, cmd, &f->rec, &call, call.res);
		return 0;
	}
	rec = rec_get(key, &busy);
	if (busy)
		goto untracked;
	if (!rec && f && call.frame == IOUCMD_FRAME_CANCEL && f->rec.life.state == IOUCMD_S_QUEUED) {
		/*
		 * In flight when this cancel call began, and already completed and posted by
		 * someone else since (the ublk race: its pending task work won): a second done().
		 */
		early = f->rec;
		done_after_posted(ctx, cmd, &early, &call);
		return 0;
	}
	if (f && call.frame == IOUCMD_FRAME_TASK_WORK) {
		if (!rec && f->tw_done) {
			/*
			 * This callback completed the command already, and the CQE is posted (6.1
			 * posts inside done()): its life is over but not this frame's memory of it.
			 */
			early.slot = slot;
			early.cmd_op = BPF_CORE_READ(cmd, cmd_op);
			early.first_done_stack = -1;
			done_after_posted(ctx, cmd, &early, &call);
			return 0;
		}
		f->tw_done = 1;
	}
	if (!rec) {
		/* done() before the issue returned (another CPU), or an issue we never saw */
		early.key = key;
		early.slot = slot;
		early.cmd_op = BPF_CORE_READ(cmd, cmd_op);
		early.first_done_stack = cfg.first_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -1;
		v = ioucmd_on_done(&early.life, &call);
		early.life.state = IOUCMD_S_DONE_EARLY;
		if (!bpf_map_update_elem(&inflight, &key, &early, BPF_NOEXIST)) {
			__sync_fetch_and_add(&early_pending, 1);
			if (v)
				emit(ctx, v, cmd, &early, &call, call.res);
			return 0;
		}
		/* inserted by someone else meanwhile */
		rec = rec_get(key, &busy);
		if (!rec)
			goto untracked;
	}
	v = ioucmd_on_done(&rec->life, &call);
	/* a reissue's done() ahead of its return: merged in record_queued() like an early one */
	if (rec->life.done_count == 1 && rec->life.state == IOUCMD_S_IN_HANDLER)
		__sync_fetch_and_add(&early_pending, 1);
	if (rec->life.done_count == 1 && rec->life.state == IOUCMD_S_DONE) {
		__sync_fetch_and_add(&done_pending, 1);
		hist_add(slot, rec->op_idx, IOUCMD_LAT_ISSUE_DONE, call.now_ns - rec->life.issue_ns);
		/* the first completion's stack, for a double completion report: a stack walk per
		 * command, so only when asked (--stacks)
		 */
		if (cfg.first_stacks)
			rec->first_done_stack = bpf_get_stackid(ctx, &stacks, 0);
	}
	if (v)
		emit(ctx, v, cmd, rec, &call, call.res);
	rec_unlock(rec);
	return 0;
untracked:
	if (c)
		c->untracked++;
	return 0;
}

/* io_uring_cmd_done(), or __io_uring_cmd_done() on 6.18+ (same first four arguments) */
SEC("?fentry")
int BPF_PROG(on_done, struct io_uring_cmd *cmd, __s64 res, __u64 res2)
{
	__u64 flags_arg = 0;

	/* 6.1.0 .. 6.1.20 had no issue_flags argument */
	if (bpf_get_func_arg_cnt(ctx) >= 4)
		bpf_get_func_arg(ctx, 3, &flags_arg);
	return done_common(ctx, cmd, res, res2, (__u32)flags_arg, slot_of_fn(FN_OF(cmd)));
}

SEC("?kprobe")
int BPF_KPROBE(kp_on_done, struct io_uring_cmd *cmd, long res, __u64 res2, unsigned int flags)
{
	return done_common(ctx, cmd, res, res2, flags, slot_of(cmd));
}

static __always_inline int mark_cancelable_common(void *ctx, struct io_uring_cmd *cmd,
						  unsigned int issue_flags)
{
	struct ioucmd_call call = { .now_ns = bpf_ktime_get_ns() };
	struct ioucmd_counters *c;
	struct frame *f;
	__u64 key = (__u64)cmd;
	int slot = slot_of(cmd);
	__u32 v;

	if (slot < 0 || !cmd_wanted(cmd))
		return 0;
	c = counters_of(slot);
	if (c)
		c->mark_cancelable++;
	fill_call(ctx, &call, cmd, 0, 0, issue_flags);
	f = frame_of(&call, key);
	if (f && call.frame == IOUCMD_FRAME_HANDLER) {
		v = ioucmd_on_mark_cancelable(&f->rec.life, &call);
		if (v)
			emit(ctx, v, cmd, &f->rec, &call, 0);
		return 0;
	}
	{
		bool busy;
		struct ioucmd_inflight *rec = rec_get(key, &busy);

		if (!rec)
			return 0;
		v = ioucmd_on_mark_cancelable(&rec->life, &call);
		if (v)
			emit(ctx, v, cmd, rec, &call, 0);
		rec_unlock(rec);
	}
	return 0;
}

SEC("?fentry/io_uring_cmd_mark_cancelable")
int BPF_PROG(on_mark_cancelable, struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return mark_cancelable_common(ctx, cmd, issue_flags);
}

SEC("?kprobe/io_uring_cmd_mark_cancelable")
int BPF_KPROBE(kp_on_mark_cancelable, struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return mark_cancelable_common(ctx, cmd, issue_flags);
}

/* ---- task work: the punt and the callback runner (6.1 .. 6.18; 6.19+ calls callbacks
 * directly, and the lock-owner rule covers them) ------------------------------------------- */

static __always_inline int tw_queue_common(struct io_uring_cmd *cmd)
{
	int slot = slot_of(cmd);
	struct ioucmd_counters *c;
	struct ioucmd_inflight *rec;
	struct frame *f;
	__u64 key = (__u64)cmd;
	bool busy;

	if (slot < 0 || !cmd_wanted(cmd))
		return 0;
	c = counters_of(slot);
	if (c)
		c->tw_queued++;
	if (!(cfg.kernel & IOUCMD_K_TW_FRAMES))
		return 0;	/* without a framed callback runner, pending work cannot be judged */
	/* the life is in the handler's frame while it runs, else in the map */
	f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0, 0);
	if (f && f->cmd == key && f->kind == IOUCMD_FRAME_HANDLER) {
		ioucmd_on_task_work_queued(&f->rec.life);
		return 0;
	}
	rec = rec_get(key, &busy);
	if (rec) {
		ioucmd_on_task_work_queued(&rec->life);
		rec_unlock(rec);
	}
	return 0;
}

SEC("?fentry/__io_uring_cmd_do_in_task")
int BPF_PROG(on_tw_queue, struct io_uring_cmd *cmd)
{
	return tw_queue_common(cmd);
}

SEC("?kprobe/__io_uring_cmd_do_in_task")
int BPF_KPROBE(kp_on_tw_queue, struct io_uring_cmd *cmd)
{
	return tw_queue_common(cmd);
}

static __always_inline int tw_run_common(struct io_kiocb *req)
{
	struct io_uring_cmd *cmd = (struct io_uring_cmd *)req;
	struct frame *f;

	if (slot_of(cmd) < 0 || !cmd_wanted(cmd))
		return 0;
	f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f)
		return 0;
	f->tw_cmd = (__u64)cmd;
	f->tw_done = 0;
	/*
	 * 6.12 .. 6.18 io_uring_cmd_work() hands the callback IO_URING_F_COMPLETE_DEFER (plus
	 * TASK_DEAD, which done() does not act on); 6.1.y hands it 0 or UNLOCKED, which its done()
	 * ignores.
	 */
	f->tw_flags = IOUCMD_F_COMPLETE_DEFER;
	return 0;
}

static __always_inline int tw_run_exit_common(void)
{
	struct frame *f = bpf_task_storage_get(&frames, bpf_get_current_task_btf(), 0, 0);
	struct ioucmd_inflight *rec;
	bool busy;
	__u64 key;

	if (!f || !f->tw_cmd)
		return 0;
	key = f->tw_cmd;
	f->tw_cmd = 0;
	if (f->tw_done)
		return 0;	/* done() cleared the mark: the usual case costs no map lookup */
	/* a callback that hands the command on (ublk: to its server) leaves nothing pending */
	rec = rec_get(key, &busy);
	if (rec) {
		ioucmd_on_task_work_ran(&rec->life);
		rec_unlock(rec);
	}
	return 0;
}

SEC("?fentry/io_uring_cmd_work")
int BPF_PROG(on_tw_run, struct io_kiocb *req)
{
	return tw_run_common(req);
}

SEC("?fexit/io_uring_cmd_work")
int BPF_PROG(on_tw_run_exit, struct io_kiocb *req)
{
	return tw_run_exit_common();
}

SEC("?kprobe/io_uring_cmd_work")
int BPF_KPROBE(kp_on_tw_run, struct io_kiocb *req)
{
	return tw_run_common(req);
}

SEC("?kretprobe/io_uring_cmd_work")
int BPF_KRETPROBE(kp_on_tw_run_exit)
{
	return tw_run_exit_common();
}

/* ---- the CQE: io_uring_complete ----------------------------------------------------------- */

SEC("?tp_btf/io_uring_complete")
int BPF_PROG(on_cqe, void *ring, struct io_kiocb *req)
{
	struct io_uring_cmd *cmd = (struct io_uring_cmd *)req;
	struct ioucmd_inflight *rec;
	struct ioucmd_counters *c;
	__u64 key = (__u64)req;
	bool busy;
	int slot;

	if (!req)
		return 0;
	/* the tracepoint declares req as void *: read through probes */
	slot = slot_of(cmd);
	if (slot < 0 || !cmd_wanted(cmd))
		return 0;
	c = counters_of(slot);
	if (c)
		c->cqes++;
	LIFE_EVENT(IOUCMD_EV_CQE, key, ioucmd_user_data(cmd), BPF_CORE_READ(cmd, cmd_op), slot,
		   0, 0);
	/* nothing is waiting for its CQE: a synchronous completion, skip the map */
	if (!done_pending && !early_pending && !eagain_pending)
		return 0;
	rec = rec_get(key, &busy);
	if (!rec)
		return 0;
	if (rec->life.state == IOUCMD_S_DONE) {
		__sync_fetch_and_add(&done_pending, -1);
		rec_delete(rec, key);
	} else if (rec->life.state == IOUCMD_S_EAGAIN) {
		/* the core gave up on the reissue and posted -EAGAIN: no life is left */
		__sync_fetch_and_add(&eagain_pending, -1);
		rec_delete(rec, key);
	} else if (rec->life.state == IOUCMD_S_QUEUED &&
		   (rec->life.marks & IOUCMD_M_UNJUDGED)) {
		/* its done() was lost to a busy record: the CQE still ends the life */
		rec_delete(rec, key);
	} else {
		/* completed and posted before its issue returned: the return ends this life */
		if (rec->life.done_count)
			rec->life.marks |= IOUCMD_M_POSTED;
		rec_unlock(rec);
	}
	return 0;
}
