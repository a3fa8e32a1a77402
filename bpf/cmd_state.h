/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The uring_cmd completion contract as a state machine: the judge of one command's life.
 *
 * Plain C with no kernel or libc dependency, compiled both into the BPF program
 * (bpf/ioucmd.bpf.c, which feeds it real events) and into the host unit tests
 * (tests/host/test_cmd_state.c, which feed it synthetic ones). This file is the documentation
 * of the contract; uring_cmd-contract-by-version.md holds the per-kernel sources it rests on.
 *
 * Events and what the core does with them (6.1 .. 7.x):
 *   issue   f_op->uring_cmd(cmd, issue_flags) is entered.
 *   return  it returns: -EIOCBQUEUED hands the completion to the driver; -EAGAIN makes the core
 *           reissue the command (blocking, from io-wq); any other value is posted as the CQE by
 *           the core itself.
 *   done    io_uring_cmd_done() (__io_uring_cmd_done() on 6.18+): the driver's completion.
 *   cancel  on ring exit (6.12+) the handler is called again with IO_URING_F_CANCEL for every
 *           command marked cancelable; it must lead to done().
 *
 * The rules (names are the report's contract, see enum ioucmd_rule):
 *   double_completion            done() twice in one life; or done() from outside the command's
 *                                task-work callback while that callback is still pending (it
 *                                will complete the command again, or touch a freed one: the
 *                                ublk cancel race fixed in 6.15).
 *   completion_after_sync_return done() in an issue whose handler returned something other than
 *                                -EIOCBQUEUED / -EAGAIN: the core completes it a second time.
 *   completion_after_eagain      done() in an issue that returned -EAGAIN, or before its reissue.
 *   issue_flags_mismatch         done()/mark_cancelable() flags that do not fit the context:
 *                                see ioucmd_expected_flags().
 *   res2_dropped                 res2 != 0 on a ring without CQE32: the value never reaches the CQE.
 *   stalled_command              queued (-EIOCBQUEUED) and not completed within the stall
 *                                timeout (cancelable commands are parked on purpose and are
 *                                exempt until cancelled; an -EAGAIN waits for the core).
 *   cancel_not_completed         a cancel call that did not lead to done() within the timeout.
 *   cancelable_not_queued        io_uring_cmd_mark_cancelable() in an issue that then returned a
 *                                result (neither -EIOCBQUEUED nor an -EAGAIN the core reissues),
 *                                with no done() since the mark. mark_cancelable() puts the
 *                                request on ctx->cancelable_uring_cmd and only done()
 *                                (io_uring_cmd_del_cancelable) takes it off: io_uring_cmd() and
 *                                the request's cleanup do not (6.12 and 7.1 io_uring/uring_cmd.c).
 *                                The core completes and frees the request, and ring exit's
 *                                io_uring_try_cancel_uring_cmd() still finds it on the list and
 *                                calls ->uring_cmd(IO_URING_F_CANCEL) on it, and keeps doing so
 *                                while nothing can complete it. An -EAGAIN is reissued when the
 *                                issue was nonblocking, or blocking on an IOPOLL ring (io-wq
 *                                retries those); any other -EAGAIN is the command's final result.
 *
 * Flags are canonical (IOUCMD_F_*): the BPF side translates each kernel's enum
 * io_uring_cmd_flags values (which moved between 6.1 and 6.12) through CO-RE before calling in.
 */
#ifndef IOUCMD_CMD_STATE_H
#define IOUCMD_CMD_STATE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Canonical issue_flags bits, independent of any kernel's enum io_uring_cmd_flags values: every
 * flag as X(NAME), bit i being the i-th, NAME the suffix of the kernel's IO_URING_F_NAME. One
 * list for the enum below, the BPF side's translation (core_fixes.bpf.h) and the names reports
 * print (lib/names.c).
 */
#define IOUCMD_FOR_EACH_FLAG(X)						\
	X(COMPLETE_DEFER) X(UNLOCKED) X(MULTISHOT) X(IOWQ) X(INLINE) X(NONBLOCK)	\
	X(SQE128) X(CQE32) X(IOPOLL) X(CANCEL) X(COMPAT) X(TASK_DEAD)

#define IOUCMD_FLAG_BIT(name)	IOUCMD_FB_##name,
enum ioucmd_flag_bit {
	IOUCMD_FOR_EACH_FLAG(IOUCMD_FLAG_BIT)
	IOUCMD_F__COUNT,
};
#undef IOUCMD_FLAG_BIT
#define IOUCMD_FLAG_MASK(name)	IOUCMD_F_##name = 1u << IOUCMD_FB_##name,
enum ioucmd_flag {
	IOUCMD_FOR_EACH_FLAG(IOUCMD_FLAG_MASK)
};
#undef IOUCMD_FLAG_MASK
/* the only bits done()/mark_cancelable() act on (6.12 .. 7.x): locking and deferral */
#define IOUCMD_F_LOCKING	(IOUCMD_F_COMPLETE_DEFER | IOUCMD_F_UNLOCKED)

/* Every rule as X(ENUM_SUFFIX, report_name): the enum, the report's names, the console line. */
#define IOUCMD_FOR_EACH_RULE(X)						\
	X(DOUBLE_COMPLETION, double_completion)				\
	X(COMPLETION_AFTER_SYNC_RETURN, completion_after_sync_return)	\
	X(COMPLETION_AFTER_EAGAIN, completion_after_eagain)		\
	X(ISSUE_FLAGS_MISMATCH, issue_flags_mismatch)			\
	X(RES2_DROPPED, res2_dropped)					\
	X(STALLED_COMMAND, stalled_command)				\
	X(CANCEL_NOT_COMPLETED, cancel_not_completed)				\
	X(CANCELABLE_NOT_QUEUED, cancelable_not_queued)

#define IOUCMD_RULE_ENUM(suffix, name)	IOUCMD_RULE_##suffix,
enum ioucmd_rule {
	IOUCMD_FOR_EACH_RULE(IOUCMD_RULE_ENUM)
	IOUCMD_RULE__COUNT,
};
#undef IOUCMD_RULE_ENUM
#define IOUCMD_V(rule)	(1u << (rule))

enum ioucmd_state {
	IOUCMD_S_FREE,		/* no life: not yet issued, or posted and gone */
	IOUCMD_S_IN_HANDLER,	/* inside ->uring_cmd */
	IOUCMD_S_QUEUED,	/* returned -EIOCBQUEUED, done() pending */
	IOUCMD_S_EAGAIN,	/* returned -EAGAIN, the core will reissue it */
	IOUCMD_S_DONE,		/* done() called (the core posts the CQE next) */
	IOUCMD_S_DONE_EARLY,	/* done() seen before the issue's return was: merged at return */
};

/* where done() / mark_cancelable() was called from, relative to the command */
enum ioucmd_frame {
	IOUCMD_FRAME_NONE,	/* no io_uring frame of this command: workqueue, timer, other task */
	IOUCMD_FRAME_HANDLER,	/* inside this command's ->uring_cmd call */
	IOUCMD_FRAME_CANCEL,	/* inside this command's IO_URING_F_CANCEL call */
	IOUCMD_FRAME_TASK_WORK,	/* inside this command's task-work callback */
};

/* marks: facts about a life that later events are judged by */
#define IOUCMD_M_CANCELABLE	(1u << 0)	/* io_uring_cmd_mark_cancelable() called */
#define IOUCMD_M_CANCEL_CALLED	(1u << 1)	/* the core asked to cancel it */
#define IOUCMD_M_REISSUED	(1u << 2)	/* issued again after -EAGAIN */
#define IOUCMD_M_DONE_IN_ISSUE	(1u << 3)	/* done() happened during the current issue */
#define IOUCMD_M_TW_PENDING	(1u << 4)	/* punted to task work, callback not yet run */
#define IOUCMD_M_POSTED		(1u << 5)	/* its CQE is out before its issue returned */
/* an event of this life could not be recorded (its record was busy): judge nothing of it */
#define IOUCMD_M_UNJUDGED	(1u << 6)
/* on the ring's cancelable list: marked cancelable, no done() since (done() takes it off) */
#define IOUCMD_M_ON_CANCEL_LIST	(1u << 7)

/* kernel facts that decide which rules can be judged */
#define IOUCMD_K_FLAGS_MATTER	(1u << 0)	/* done() acts on issue_flags (6.12+; 6.1 ignores) */
#define IOUCMD_K_LOCK_OWNER	(1u << 1)	/* uring_lock's owner is readable */
#define IOUCMD_K_TW_FRAMES	(1u << 2)	/* task-work callbacks are framed (6.1 .. 6.18) */

/* One command's life, from its first issue to its completion. */
struct ioucmd_life {
	__u64 issue_ns;		/* first issue of this life */
	__u64 queue_ns;		/* the issue returned -EIOCBQUEUED */
	__u64 done_ns;		/* first done() */
	__u64 cancel_ns;	/* first cancel call */
	__u32 state;		/* enum ioucmd_state */
	__u32 issue_flags;	/* canonical flags of the latest issue */
	__u32 done_count;
	__u32 marks;		/* IOUCMD_M_* */
	__u32 violations;	/* IOUCMD_V() bits already reported for this life */
	__s32 ret;		/* the latest issue's return value */
	__s32 done_res;
	__u32 pad;
};

/* What the probe knew at a done() or mark_cancelable() call. */
struct ioucmd_call {
	__u64 now_ns;
	__u64 res2;
	__u32 flags;		/* canonical flags passed */
	__u32 frame;		/* enum ioucmd_frame */
	__u32 frame_flags;	/* canonical flags the enclosing frame was given */
	__u32 kernel;		/* IOUCMD_K_* */
	__s32 res;
	__u8 owns_uring_lock;	/* the current task holds ctx->uring_lock */
	__u8 atomic;		/* hardirq, softirq, NMI or preemption disabled */
	__u8 ring_cqe32;	/* the ring has IORING_SETUP_CQE32 */
	__u8 is_cqe32;		/* the completion asks for a 32-byte CQE (6.18+ done32) */
	__u8 ring_iopoll;	/* the ring has IORING_SETUP_IOPOLL */
	__u8 pad[7];
};

#define IOUCMD_EIOCBQUEUED	529
#define IOUCMD_EAGAIN		11

/*
 * The locking bits a context must pass, or IOUCMD_EXPECT_NONE where done() must not be called
 * at all. Derived from io_uring/uring_cmd.c of 6.12 .. 7.1 (contract §1b, §3, §4):
 *   hardirq / softirq / hrtimer / spinlock held: never; punt to task work;
 *   handler / cancel / task-work frame of this command: exactly what the core gave that frame;
 *   the ring's own locked context seen from outside a frame (task-work callbacks, which the
 *   core runs with uring_lock held and hands IO_URING_F_COMPLETE_DEFER; the cancel loop):
 *   IO_URING_F_COMPLETE_DEFER, never UNLOCKED, and 0 only on an IOPOLL ring, where the
 *   reaper completes same-ring commands with 0 (nvme_uring_cmd_end_io since 7.1, 6.12.0's
 *   io_uring_cmd_iopoll_done); elsewhere 0 from the locked context is a callback that does not
 *   pass on its flags (the bug "block/io_uring: pass in issue_flags for uring_cmd task_work
 *   handling" fixed in 6.3);
 *   any other task context: IO_URING_F_UNLOCKED (the core then takes uring_lock itself).
 */
#define IOUCMD_EXPECT_NONE	0xffffffffu

static inline __u32 ioucmd_expected_flags(const struct ioucmd_call *c)
{
	if (c->atomic)
		return IOUCMD_EXPECT_NONE;
	if (c->frame != IOUCMD_FRAME_NONE)
		return c->frame_flags & IOUCMD_F_LOCKING;
	if (c->owns_uring_lock && (c->kernel & IOUCMD_K_LOCK_OWNER))
		return IOUCMD_F_COMPLETE_DEFER;
	return IOUCMD_F_UNLOCKED;
}

/* The issue_flags_mismatch judgement: 0 or IOUCMD_V(IOUCMD_RULE_ISSUE_FLAGS_MISMATCH). */
static inline __u32 ioucmd_check_flags(const struct ioucmd_call *c)
{
	const __u32 bad = IOUCMD_V(IOUCMD_RULE_ISSUE_FLAGS_MISMATCH);
	__u32 passed = c->flags & IOUCMD_F_LOCKING;
	__u32 want;

	if (!(c->kernel & IOUCMD_K_FLAGS_MATTER)) {
		/* 6.1 ignores the flags, but its completion_lock is not irq-safe */
		return c->atomic ? bad : 0;
	}
	want = ioucmd_expected_flags(c);
	if (want == IOUCMD_EXPECT_NONE)
		return bad;
	if (c->frame == IOUCMD_FRAME_NONE && want == IOUCMD_F_COMPLETE_DEFER) {
		if (passed & IOUCMD_F_UNLOCKED)
			return bad;
		return passed || c->ring_iopoll ? 0 : bad;
	}
	if (passed != want)
		return bad;
	/* what done() will do with these bits must be legal with the lock as it is */
	if (c->kernel & IOUCMD_K_LOCK_OWNER) {
		if (!(passed & IOUCMD_F_UNLOCKED) && !c->owns_uring_lock)
			return bad;
		if ((passed & IOUCMD_F_UNLOCKED) && c->owns_uring_lock)
			return bad;
	}
	return 0;
}

/* A new issue of cmd (first, reissue after -EAGAIN, or the cancel call). */
static inline void ioucmd_on_issue(struct ioucmd_life *l, __u32 flags, __u64 now)
{
	if (flags & IOUCMD_F_CANCEL) {
		/* the cancel call is not a new life: it belongs to the queued one */
		if (!(l->marks & IOUCMD_M_CANCEL_CALLED))
			l->cancel_ns = now;
		l->marks |= IOUCMD_M_CANCEL_CALLED;
		return;
	}
	if (l->state == IOUCMD_S_EAGAIN) {
		l->marks |= IOUCMD_M_REISSUED;
	} else {
		/* a fresh life (the io_kiocb may be a recycled one) */
		l->issue_ns = now;
		l->queue_ns = 0;
		l->done_ns = 0;
		l->cancel_ns = 0;
		l->done_count = 0;
		l->marks = 0;
		l->violations = 0;
		l->done_res = 0;
	}
	l->marks &= ~IOUCMD_M_DONE_IN_ISSUE;
	l->state = IOUCMD_S_IN_HANDLER;
	l->issue_flags = flags;
}

static inline __u32 ioucmd_report(struct ioucmd_life *l, __u32 v)
{
	if (l->marks & IOUCMD_M_UNJUDGED)
		return 0;	/* a lost event must never turn into a false violation */
	v &= ~l->violations;	/* each rule once per life */
	l->violations |= v;
	return v;
}

/* is a blocking -EAGAIN the last word (see ioucmd_on_eagain_final)? */
static inline int ioucmd_eagain_is_final(__u32 issue_flags)
{
	return !(issue_flags & IOUCMD_F_NONBLOCK) && !(issue_flags & IOUCMD_F_IOPOLL);
}

/*
 * After the handler returned ret to an issue with flags, is the command still to be completed
 * later (queued by the driver, or to be reissued by the core)?
 */
static inline int ioucmd_stays_queued(__u32 flags, __s32 ret)
{
	if (ret == -IOUCMD_EIOCBQUEUED)
		return 1;
	return ret == -IOUCMD_EAGAIN && !ioucmd_eagain_is_final(flags);
}

/* The handler, called with flags, returned ret. Returns new violations. */
static inline __u32 ioucmd_on_return(struct ioucmd_life *l, __u32 flags, __s32 ret, __u64 now)
{
	__u32 v = 0;
	int done_here = l->marks & IOUCMD_M_DONE_IN_ISSUE;

	if (flags & IOUCMD_F_CANCEL)
		return 0;	/* the core ignores what a cancel call returns */
	l->ret = ret;
	if ((l->marks & IOUCMD_M_ON_CANCEL_LIST) && !ioucmd_stays_queued(flags, ret))
		v |= IOUCMD_V(IOUCMD_RULE_CANCELABLE_NOT_QUEUED);
	if (ret == -IOUCMD_EIOCBQUEUED) {
		l->queue_ns = now;
		l->state = l->done_count ? IOUCMD_S_DONE : IOUCMD_S_QUEUED;
	} else if (ret == -IOUCMD_EAGAIN) {
		if (done_here)
			v |= IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_EAGAIN);
		l->state = IOUCMD_S_EAGAIN;
	} else {
		if (done_here)
			v |= IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_SYNC_RETURN);
		l->state = IOUCMD_S_FREE;	/* the core posts the CQE */
	}
	return ioucmd_report(l, v);
}

/* io_uring_cmd_done(). Returns new violations. */
static inline __u32 ioucmd_on_done(struct ioucmd_life *l, const struct ioucmd_call *c)
{
	__u32 v = ioucmd_check_flags(c);

	if (l->done_count)
		v |= IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION);
	/*
	 * A callback that still has to run will complete it too (or find it freed). Without a
	 * framed runner (6.19+ calls callbacks straight from the task-work list) a done() outside
	 * any frame may be that callback; the cancel call's done() surely is not.
	 */
	if ((l->marks & IOUCMD_M_TW_PENDING) &&
	    ((c->kernel & IOUCMD_K_TW_FRAMES) ? c->frame != IOUCMD_FRAME_TASK_WORK
					       : c->frame == IOUCMD_FRAME_CANCEL))
		v |= IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION);
	switch (l->state) {
	case IOUCMD_S_EAGAIN:
		v |= IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_EAGAIN);
		break;
	case IOUCMD_S_FREE:
		/* after a synchronous return the core has completed it already */
		if (l->issue_ns)
			v |= IOUCMD_V(IOUCMD_RULE_COMPLETION_AFTER_SYNC_RETURN);
		break;
	default:
		break;
	}
	if (c->res2 && !c->ring_cqe32)
		v |= IOUCMD_V(IOUCMD_RULE_RES2_DROPPED);
	if (!l->done_count) {
		l->done_ns = c->now_ns;
		l->done_res = c->res;
	}
	l->done_count++;
	l->marks |= IOUCMD_M_DONE_IN_ISSUE;
	l->marks &= ~(IOUCMD_M_TW_PENDING | IOUCMD_M_ON_CANCEL_LIST);
	if (l->state == IOUCMD_S_QUEUED)
		l->state = IOUCMD_S_DONE;
	return ioucmd_report(l, v);
}

/* io_uring_cmd_mark_cancelable(). Returns new violations. */
static inline __u32 ioucmd_on_mark_cancelable(struct ioucmd_life *l, const struct ioucmd_call *c)
{
	l->marks |= IOUCMD_M_CANCELABLE | IOUCMD_M_ON_CANCEL_LIST;
	return ioucmd_report(l, ioucmd_check_flags(c));
}

/*
 * done() ran elsewhere (another CPU, a timer) before this issue's handler returned: the probe
 * kept it aside as an early life. Fold it into the issuing life before ioucmd_on_return().
 * Returns new violations.
 */
static inline __u32 ioucmd_merge_early(struct ioucmd_life *l, const struct ioucmd_life *early)
{
	__u32 v = early->violations;

	l->marks |= early->marks & IOUCMD_M_UNJUDGED;
	if (!early->done_count)
		return 0;
	if (l->done_count)
		v |= IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION);
	if (!l->done_count) {
		l->done_ns = early->done_ns;
		l->done_res = early->done_res;
	}
	l->done_count += early->done_count;
	if (early->done_count > 1)
		v |= IOUCMD_V(IOUCMD_RULE_DOUBLE_COMPLETION);
	l->marks |= IOUCMD_M_DONE_IN_ISSUE;
	l->marks &= ~IOUCMD_M_ON_CANCEL_LIST;	/* that done() took it off the list */
	return ioucmd_report(l, v);
}

/* The command was punted to task work (__io_uring_cmd_do_in_task). */
static inline void ioucmd_on_task_work_queued(struct ioucmd_life *l)
{
	l->marks |= IOUCMD_M_TW_PENDING;
}

/* Its task-work callback returned without done(): the driver completes it some other way. */
static inline void ioucmd_on_task_work_ran(struct ioucmd_life *l)
{
	l->marks &= ~IOUCMD_M_TW_PENDING;
}

/* now - then, or 0 when then is later: a judge's clock reading may predate the event */
static inline __u64 ioucmd_age(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

/*
 * The core will not reissue an -EAGAIN: it posts -EAGAIN itself when the issue was already the
 * blocking one on a ring without IOPOLL (io_wq_submit_work gives up after one retry), or when
 * the request was submitted with REQ_F_NOWAIT. The life is over.
 */
static inline void ioucmd_on_eagain_final(struct ioucmd_life *l)
{
	if (l->state == IOUCMD_S_EAGAIN)
		l->state = IOUCMD_S_FREE;
}

/*
 * Judged from outside, periodically and at the end of a trace: a queued command past the
 * timeout. Returns new violations. A command waiting for its reissue after -EAGAIN is the
 * core's to move on, not the driver's: it is never called stalled.
 */
static inline __u32 ioucmd_check_age(struct ioucmd_life *l, __u64 now, __u64 timeout_ns)
{
	__u32 v = 0;

	if (l->state != IOUCMD_S_QUEUED)
		return 0;
	if (l->marks & IOUCMD_M_CANCEL_CALLED) {
		if (ioucmd_age(now, l->cancel_ns) >= timeout_ns)
			v |= IOUCMD_V(IOUCMD_RULE_CANCEL_NOT_COMPLETED);
	} else if (!(l->marks & IOUCMD_M_CANCELABLE) && l->issue_ns &&
		   ioucmd_age(now, l->issue_ns) >= timeout_ns) {
		v |= IOUCMD_V(IOUCMD_RULE_STALLED_COMMAND);
	}
	return ioucmd_report(l, v);
}

/* the life has no more to say: completed, or gone back to the core */
static inline int ioucmd_life_over(const struct ioucmd_life *l)
{
	return l->state == IOUCMD_S_FREE || l->state == IOUCMD_S_DONE;
}

#endif /* IOUCMD_CMD_STATE_H */
