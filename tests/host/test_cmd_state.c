// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Drives bpf/cmd_state.h with synthetic event sequences: every legal path must stay clean and
 * every rule must be caught. The same header runs inside the BPF program.
 */
#include <stdio.h>
#include <string.h>
#include "cmd_state.h"
#include "ktap.h"

#define MS		1000000ull
#define S		(1000 * MS)
#define K612		(IOUCMD_K_FLAGS_MATTER | IOUCMD_K_LOCK_OWNER | IOUCMD_K_TW_FRAMES)
#define K61		IOUCMD_K_LOCK_OWNER
#define INLINE_FLAGS	(IOUCMD_F_NONBLOCK | IOUCMD_F_COMPLETE_DEFER)
#define IOWQ_FLAGS	(IOUCMD_F_UNLOCKED | IOUCMD_F_IOWQ)
#define CANCEL_FLAGS	(IOUCMD_F_CANCEL | IOUCMD_F_COMPLETE_DEFER)
#define EQ		(-IOUCMD_EIOCBQUEUED)
#define EAGAIN_RET	(-IOUCMD_EAGAIN)
#define V(r)		IOUCMD_V(IOUCMD_RULE_##r)

/* done() or mark_cancelable() call contexts, as the BPF probes classify them */
static struct ioucmd_call in_handler(__u32 handler_flags, __u32 passed)
{
	return (struct ioucmd_call){ .now_ns = 2, .flags = passed, .frame = IOUCMD_FRAME_HANDLER,
		.frame_flags = handler_flags, .kernel = K612,
		.owns_uring_lock = !(handler_flags & IOUCMD_F_UNLOCKED) };
}

static struct ioucmd_call in_task_work(__u32 passed)
{
	return (struct ioucmd_call){ .now_ns = 3, .flags = passed, .frame = IOUCMD_FRAME_TASK_WORK,
		.frame_flags = IOUCMD_F_COMPLETE_DEFER, .kernel = K612, .owns_uring_lock = 1 };
}

static struct ioucmd_call in_cancel(__u32 passed)
{
	return (struct ioucmd_call){ .now_ns = 4, .flags = passed, .frame = IOUCMD_FRAME_CANCEL,
		.frame_flags = CANCEL_FLAGS, .kernel = K612, .owns_uring_lock = 1 };
}

static struct ioucmd_call from_kworker(__u32 passed)
{
	return (struct ioucmd_call){ .now_ns = 5, .flags = passed, .frame = IOUCMD_FRAME_NONE,
		.kernel = K612 };
}

static struct ioucmd_call from_timer(__u32 passed)
{
	struct ioucmd_call c = from_kworker(passed);

	c.atomic = 1;
	return c;
}

/* a queued command: issued inline, returned -EIOCBQUEUED */
static struct ioucmd_life queued(void)
{
	struct ioucmd_life l = { 0 };

	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 1);
	return l;
}

static void check(const char *name, __u32 got, __u32 want)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s (violations 0x%x, expected 0x%x)", name, got, want);
	ktap_result(got == want, buf);
}

static void legal_paths(void)
{
	struct ioucmd_life l = { 0 }, early = { 0 };
	struct ioucmd_call c;
	__u32 v;

	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	check("sync return completes without done()", ioucmd_on_return(&l, INLINE_FLAGS, 7, 2), 0);
	ktap_result(l.state == IOUCMD_S_FREE, "sync return leaves no life behind");

	l = queued();
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	check("queued, done() from task work with its flags", ioucmd_on_done(&l, &c), 0);
	ktap_result(l.state == IOUCMD_S_DONE && ioucmd_life_over(&l), "task-work completion ends the life");

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EQ, 2);
	check("done() inline with the handler's flags, then -EIOCBQUEUED", v, 0);

	l = queued();
	c = from_kworker(IOUCMD_F_UNLOCKED);
	check("queued, done() from a workqueue with IO_URING_F_UNLOCKED", ioucmd_on_done(&l, &c), 0);

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 1);
	ioucmd_on_issue(&l, IOWQ_FLAGS, 2);
	v |= ioucmd_on_return(&l, IOWQ_FLAGS, 0, 3);
	check("-EAGAIN, then the blocking reissue completes synchronously", v, 0);
	ktap_result(l.marks & IOUCMD_M_REISSUED, "the reissue is marked as one");

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 1);
	ioucmd_on_issue(&l, IOWQ_FLAGS, 2);
	c = in_handler(IOWQ_FLAGS, IOUCMD_F_UNLOCKED | IOUCMD_F_IOWQ);
	v |= ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, IOWQ_FLAGS, EQ, 3);
	check("-EAGAIN, reissue on io-wq completes inline with its UNLOCKED flags", v, 0);

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	v = ioucmd_on_mark_cancelable(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EQ, 1);
	v |= ioucmd_check_age(&l, 100 * S, 10 * S);
	check("a parked cancelable command is not a stall", v, 0);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 101 * S);
	v |= ioucmd_on_return(&l, CANCEL_FLAGS, 0, 101 * S);
	c = in_cancel(CANCEL_FLAGS);
	v |= ioucmd_on_done(&l, &c);
	v |= ioucmd_check_age(&l, 200 * S, 10 * S);
	check("cancel call completes it with the cancel call's flags", v, 0);
	ktap_result(l.state == IOUCMD_S_DONE, "the cancelled command's life is over");

	l = queued();
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	ioucmd_on_done(&l, &c);
	ioucmd_on_issue(&l, INLINE_FLAGS, 10);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EQ, 11);
	v |= ioucmd_on_done(&l, &c);
	check("a recycled io_kiocb starts a fresh life: one done() each", v, 0);

	l = queued();
	c = from_kworker(0);
	c.kernel = K61;
	check("6.1: done() ignores issue_flags, 0 from a workqueue is fine", ioucmd_on_done(&l, &c), 0);

	/* done() on another CPU before the issuing CPU saw the return */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = from_kworker(IOUCMD_F_UNLOCKED);
	v = ioucmd_on_done(&early, &c);
	v |= ioucmd_merge_early(&l, &early);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EQ, 6);
	check("done() racing ahead of the handler's return is merged cleanly", v, 0);
	ktap_result(l.state == IOUCMD_S_DONE && l.done_count == 1, "the merged life is complete");

	l = queued();
	c = from_kworker(IOUCMD_F_COMPLETE_DEFER);
	c.owns_uring_lock = 1;	/* 7.x: callbacks run straight from the locked task-work list */
	check("7.x task work: COMPLETE_DEFER under uring_lock outside any frame", ioucmd_on_done(&l, &c), 0);

	l = queued();
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	c.res2 = 42;
	c.ring_cqe32 = 1;
	check("res2 on a CQE32 ring", ioucmd_on_done(&l, &c), 0);

	l = queued();
	ioucmd_on_task_work_queued(&l);
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	check("task work queued, its callback completes", ioucmd_on_done(&l, &c), 0);

	/* ublk: the callback hands the command to the server, a later command completes it */
	l = queued();
	ioucmd_on_task_work_queued(&l);
	ioucmd_on_task_work_ran(&l);
	c = from_kworker(IOUCMD_F_UNLOCKED);
	check("a callback that passes the command on, completed later elsewhere",
	      ioucmd_on_done(&l, &c), 0);

	/* 7.x: callbacks run straight from the task-work list, outside any frame we can see */
	l = queued();
	ioucmd_on_task_work_queued(&l);
	c = from_kworker(IOUCMD_F_COMPLETE_DEFER);
	c.owns_uring_lock = 1;
	c.kernel = IOUCMD_K_FLAGS_MATTER | IOUCMD_K_LOCK_OWNER;
	check("no framed callbacks (7.x): pending task work is not judged", ioucmd_on_done(&l, &c), 0);

	l = queued();
	check("a young queued command is not stalled", ioucmd_check_age(&l, 5 * S, 10 * S), 0);

	/* the lock judgments need the mutex's owner: without it the same calls are not judged */
	l = queued();
	c = from_kworker(IOUCMD_F_UNLOCKED);
	c.owns_uring_lock = 1;
	c.kernel = IOUCMD_K_FLAGS_MATTER | IOUCMD_K_TW_FRAMES;
	check("no readable lock owner: UNLOCKED outside a frame is taken at its word",
	      ioucmd_on_done(&l, &c), 0);
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	c.owns_uring_lock = 0;
	c.kernel = IOUCMD_K_FLAGS_MATTER | IOUCMD_K_TW_FRAMES;
	check("no readable lock owner: the handler's own flags are taken at their word",
	      ioucmd_on_done(&l, &c), 0);

	/* 6.1 ignores the flags: only the context is judged, wherever done() is called from */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, IOUCMD_F_UNLOCKED);
	c.kernel = K61;
	check("6.1: flags that contradict the lock are not judged (done() ignores them)",
	      ioucmd_on_done(&l, &c), 0);

	/* the judge read its clock, then the command was issued: not an age of 2^64 ns */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 20 * S);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 20 * S);
	check("a command issued after the judge's clock reading is not stalled",
	      ioucmd_check_age(&l, 19 * S, 10 * S), 0);
}

static void violations(void)
{
	struct ioucmd_life l, early = { 0 };
	struct ioucmd_call c;
	__u32 v;

	l = queued();
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_done(&l, &c);
	check("double_completion: done() twice from task work", v, V(DOUBLE_COMPLETION));

	/* the ublk race (CVE-2025-37906): cancel completes while a task-work completion is pending */
	l = queued();
	ioucmd_on_task_work_queued(&l);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 9);
	c = in_cancel(CANCEL_FLAGS);
	v = ioucmd_on_done(&l, &c);
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	v |= ioucmd_on_done(&l, &c);
	check("double_completion: cancel path vs pending task-work completion", v, V(DOUBLE_COMPLETION));

	/* the same race where callbacks are not framed (6.19+): the cancel call's done() tells */
	l = queued();
	ioucmd_on_task_work_queued(&l);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 9);
	c = in_cancel(CANCEL_FLAGS);
	c.kernel = IOUCMD_K_FLAGS_MATTER | IOUCMD_K_LOCK_OWNER;
	check("double_completion: cancel vs pending task work, no framed callbacks (7.x)",
	      ioucmd_on_done(&l, &c), V(DOUBLE_COMPLETION));

	memset(&l, 0, sizeof(l));
	memset(&early, 0, sizeof(early));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = from_kworker(IOUCMD_F_UNLOCKED);
	ioucmd_on_done(&early, &c);
	v = ioucmd_merge_early(&l, &early);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EQ, 6);
	v |= ioucmd_on_done(&l, &c);
	check("double_completion: early done() and a second one", v, V(DOUBLE_COMPLETION));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, 0, 2);
	check("completion_after_sync_return: done() inline, then return 0", v,
	      V(COMPLETION_AFTER_SYNC_RETURN));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	v = ioucmd_on_return(&l, INLINE_FLAGS, -22, 2);
	c = from_kworker(IOUCMD_F_UNLOCKED);
	v |= ioucmd_on_done(&l, &c);
	check("completion_after_sync_return: done() after the core completed it", v,
	      V(COMPLETION_AFTER_SYNC_RETURN));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 2);
	check("completion_after_eagain: done() then -EAGAIN", v, V(COMPLETION_AFTER_EAGAIN));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 2);
	c = from_kworker(IOUCMD_F_UNLOCKED);
	v |= ioucmd_on_done(&l, &c);
	check("completion_after_eagain: done() before the reissue", v, V(COMPLETION_AFTER_EAGAIN));

	/* the Rust misc-device sample: flags captured at submit, done() from a workqueue */
	l = queued();
	c = from_kworker(INLINE_FLAGS);
	check("issue_flags_mismatch: issue-time flags used from a workqueue",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = from_kworker(0);
	check("issue_flags_mismatch: hard-coded 0 from a workqueue", ioucmd_on_done(&l, &c),
	      V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = from_timer(IOUCMD_F_UNLOCKED);
	check("issue_flags_mismatch: done() from an hrtimer", ioucmd_on_done(&l, &c),
	      V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = from_timer(0);
	c.kernel = K61;
	check("issue_flags_mismatch: 6.1 done() from irq context (completion_lock not irq-safe)",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	/* 6.3 fix: task work assumed uring_lock was held and passed 0 */
	l = queued();
	c = in_task_work(0);
	check("issue_flags_mismatch: task work passing 0 instead of its flags",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER | IOUCMD_F_UNLOCKED);
	check("issue_flags_mismatch: COMPLETE_DEFER|UNLOCKED (WARN, never completed)",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, IOUCMD_F_UNLOCKED);
	check("issue_flags_mismatch: mark_cancelable with UNLOCKED under uring_lock",
	      ioucmd_on_mark_cancelable(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	/*
	 * Who holds uring_lock, read from the mutex's owner, against what the flags claim: done()
	 * with UNLOCKED takes the lock itself (a deadlock when the caller holds it); without
	 * UNLOCKED it assumes the lock is held (a race when it is not).
	 */
	l = queued();
	c = from_kworker(IOUCMD_F_UNLOCKED);
	c.owns_uring_lock = 1;
	check("issue_flags_mismatch: UNLOCKED outside any frame while holding uring_lock",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	c.owns_uring_lock = 0;	/* the flags say locked; the mutex says otherwise */
	check("issue_flags_mismatch: the handler's locked flags, but uring_lock is not held",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, IOWQ_FLAGS, 1);
	c = in_handler(IOWQ_FLAGS, IOUCMD_F_UNLOCKED);
	c.owns_uring_lock = 1;	/* the flags say unlocked; the mutex is ours */
	check("issue_flags_mismatch: the handler's UNLOCKED flags, but uring_lock is held",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = from_kworker(IOUCMD_F_UNLOCKED);
	c.res2 = 5;
	check("res2_dropped: res2 on a ring without CQE32", ioucmd_on_done(&l, &c), V(RES2_DROPPED));

	l = queued();
	check("stalled_command: queued past the timeout", ioucmd_check_age(&l, 11 * S, 10 * S),
	      V(STALLED_COMMAND));
	check("each rule is reported once per life", ioucmd_check_age(&l, 12 * S, 10 * S), 0);

	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	ioucmd_on_mark_cancelable(&l, &c);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 1);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 2 * S);
	v = ioucmd_on_return(&l, CANCEL_FLAGS, 0, 2 * S);
	v |= ioucmd_check_age(&l, 13 * S, 10 * S);
	check("cancel_not_completed: cancel call ignored", v, V(CANCEL_NOT_COMPLETED));

	/* ublk before 6.15: the cancel path completes what task work is about to complete */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	ioucmd_on_mark_cancelable(&l, &c);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 1);
	ioucmd_on_task_work_queued(&l);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 2);
	c = in_cancel(IOUCMD_F_COMPLETE_DEFER);
	check("double_completion: cancel completes a command with task work pending",
	      ioucmd_on_done(&l, &c), V(DOUBLE_COMPLETION));
	c = in_task_work(IOUCMD_F_COMPLETE_DEFER);
	check("... and the pending callback's done() is not reported twice", ioucmd_on_done(&l, &c), 0);
	ktap_result(l.done_count == 2, "both completions are counted");
}

/* a cancelable command: marked in its issue with the handler's flags */
static struct ioucmd_life marked(__u32 flags)
{
	struct ioucmd_life l = { 0 };
	struct ioucmd_call c = in_handler(flags, flags);

	ioucmd_on_issue(&l, flags, 1);
	ioucmd_on_mark_cancelable(&l, &c);
	return l;
}

/*
 * cancelable_not_queued: mark_cancelable() puts the request on the ring's cancelable list and
 * only done() takes it off, so the issue must leave the command queued.
 */
static void cancelable_returns(void)
{
	struct ioucmd_life l;
	struct ioucmd_call c;
	__u32 v;

	l = marked(INLINE_FLAGS);
	check("marked cancelable, then -EIOCBQUEUED", ioucmd_on_return(&l, INLINE_FLAGS, EQ, 2), 0);
	l = marked(INLINE_FLAGS);
	check("cancelable_not_queued: marked, then returns 0",
	      ioucmd_on_return(&l, INLINE_FLAGS, 0, 2), V(CANCELABLE_NOT_QUEUED));
	l = marked(INLINE_FLAGS);
	check("cancelable_not_queued: marked, then returns an error",
	      ioucmd_on_return(&l, INLINE_FLAGS, -22, 2), V(CANCELABLE_NOT_QUEUED));

	l = marked(INLINE_FLAGS);
	c = in_handler(INLINE_FLAGS, INLINE_FLAGS);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, EQ, 2);
	check("marked, done() inline (off the list), then -EIOCBQUEUED", v, 0);
	l = marked(INLINE_FLAGS);
	v = ioucmd_on_done(&l, &c);
	v |= ioucmd_on_return(&l, INLINE_FLAGS, 0, 2);
	check("marked, done(), then returns 0: only completion_after_sync_return", v,
	      V(COMPLETION_AFTER_SYNC_RETURN));

	/* the nonblocking issue marks it and asks for the reissue: still the same, listed life */
	l = marked(INLINE_FLAGS);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 2);
	ioucmd_on_issue(&l, IOWQ_FLAGS, 3);
	v |= ioucmd_on_return(&l, IOWQ_FLAGS, EQ, 4);
	check("marked, -EAGAIN, the reissue queues it", v, 0);
	l = marked(INLINE_FLAGS);
	v = ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 2);
	ioucmd_on_issue(&l, IOWQ_FLAGS, 3);
	v |= ioucmd_on_return(&l, IOWQ_FLAGS, 5, 4);
	check("cancelable_not_queued: marked, -EAGAIN, the reissue returns a result", v,
	      V(CANCELABLE_NOT_QUEUED));
	/* io-wq gives up after a blocking -EAGAIN, except on IOPOLL rings */
	l = marked(IOWQ_FLAGS);
	check("cancelable_not_queued: marked on io-wq, then -EAGAIN (final there)",
	      ioucmd_on_return(&l, IOWQ_FLAGS, EAGAIN_RET, 2), V(CANCELABLE_NOT_QUEUED));
	l = marked(IOWQ_FLAGS | IOUCMD_F_IOPOLL);
	check("marked on io-wq of an IOPOLL ring, then -EAGAIN (retried)",
	      ioucmd_on_return(&l, IOWQ_FLAGS | IOUCMD_F_IOPOLL, EAGAIN_RET, 2), 0);

	/* what the cancel call returns is ignored, and a later life is judged afresh */
	l = marked(INLINE_FLAGS);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 2);
	ioucmd_on_issue(&l, CANCEL_FLAGS, 3);
	check("the cancel call's return is not judged", ioucmd_on_return(&l, CANCEL_FLAGS, 0, 3), 0);
	c = in_cancel(CANCEL_FLAGS);
	ioucmd_on_done(&l, &c);
	ioucmd_on_issue(&l, INLINE_FLAGS, 4);
	check("a recycled command's next life, not marked, returns 0",
	      ioucmd_on_return(&l, INLINE_FLAGS, 0, 5), 0);
}

/*
 * A record the probe could not lock (bpf/rec_lock.bpf.h) loses an event: the life is marked
 * unjudged, and nothing it does afterwards may be reported.
 */
static void unjudged(void)
{
	struct ioucmd_life l = queued(), early = { 0 }, reissue = { 0 };
	struct ioucmd_call c = from_kworker(IOUCMD_F_UNLOCKED);
	__u32 v;

	l.marks |= IOUCMD_M_UNJUDGED;	/* say, its first done() was lost */
	ioucmd_on_done(&l, &c);
	check("unjudged: a second done() is not called a double completion", ioucmd_on_done(&l, &c), 0);
	l = queued();
	l.marks |= IOUCMD_M_UNJUDGED;
	check("unjudged: not called stalled either", ioucmd_check_age(&l, 100, 10), 0);

	/* the early done() was lost to a busy record: the merged life inherits the mark */
	c = from_kworker(IOUCMD_F_UNLOCKED);
	ioucmd_on_done(&early, &c);
	ioucmd_on_done(&early, &c);	/* two: would be a double completion */
	early.violations = 0;
	early.marks |= IOUCMD_M_UNJUDGED;
	ioucmd_on_issue(&reissue, INLINE_FLAGS, 1);
	v = ioucmd_merge_early(&reissue, &early);
	check("unjudged: a merged early life reports nothing", v, 0);
	ktap_result(reissue.marks & IOUCMD_M_UNJUDGED, "unjudged: the mark survives the merge");

	/* a fresh life of the same io_kiocb is judged again */
	ioucmd_on_issue(&l, INLINE_FLAGS, 200);
	ioucmd_on_return(&l, INLINE_FLAGS, EQ, 200);
	ktap_result(!(l.marks & IOUCMD_M_UNJUDGED), "unjudged: a recycled command's next life is judged");
}

/* done() outside any frame, in the ring's locked context (task work, the cancel loop) */
static void locked_context(void)
{
	struct ioucmd_life l;
	struct ioucmd_call c;

	l = queued();
	c = from_kworker(0);
	c.owns_uring_lock = 1;
	check("locked context, flags 0 on a ring without IOPOLL: the callback dropped its flags",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	l = queued();
	c = from_kworker(0);
	c.owns_uring_lock = 1;
	c.ring_iopoll = 1;
	check("locked context, flags 0 on an IOPOLL ring: the same-ring reaper's completion",
	      ioucmd_on_done(&l, &c), 0);

	l = queued();
	c = from_kworker(IOUCMD_F_UNLOCKED);
	c.owns_uring_lock = 1;
	c.ring_iopoll = 1;
	check("locked context, UNLOCKED: done() would take uring_lock again",
	      ioucmd_on_done(&l, &c), V(ISSUE_FLAGS_MISMATCH));

	/* -EAGAIN: the reissue is the core's to make, so waiting for it is never a stall */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 1);
	ioucmd_on_return(&l, INLINE_FLAGS, EAGAIN_RET, 1);
	check("waiting for the reissue after -EAGAIN is not a stall",
	      ioucmd_check_age(&l, 100 * S, 10 * S), 0);
	ktap_result(!ioucmd_eagain_is_final(INLINE_FLAGS) &&
		    !ioucmd_eagain_is_final(IOWQ_FLAGS | IOUCMD_F_IOPOLL) &&
		    ioucmd_eagain_is_final(IOWQ_FLAGS),
		    "-EAGAIN is final only from a blocking issue on a ring without IOPOLL");
	ioucmd_on_issue(&l, IOWQ_FLAGS, 2);
	ioucmd_on_return(&l, IOWQ_FLAGS, EAGAIN_RET, 3);
	ioucmd_on_eagain_final(&l);
	ktap_result(ioucmd_life_over(&l), "a final -EAGAIN ends the life (the core posts it)");
}

/*
 * A finished life stays as a tombstone (6.1 has no frame for a kworker's done()): a second
 * done() on it is a double completion, while the io_kiocb recycled for a new command starts a
 * fresh life that owes nothing to the old one.
 */
static void tombstones(void)
{
	struct ioucmd_life l = queued();
	struct ioucmd_call c = from_kworker(IOUCMD_F_UNLOCKED);

	c.kernel = K61;
	check("6.1: a kworker completes a queued command", ioucmd_on_done(&l, &c), 0);
	ktap_result(ioucmd_life_over(&l), "its life is over: a tombstone stays");
	check("6.1: a second done() on the tombstone is a double completion",
	      ioucmd_on_done(&l, &c), V(DOUBLE_COMPLETION));

	l = queued();
	ioucmd_on_done(&l, &c);
	ioucmd_on_issue(&l, INLINE_FLAGS, 10);
	check("the io_kiocb reused for a new command: its -EIOCBQUEUED is clean",
	      ioucmd_on_return(&l, INLINE_FLAGS, EQ, 11), 0);
	ktap_result(l.done_count == 0 && !ioucmd_life_over(&l),
		    "the new command's life owes nothing to the tombstone");
	check("the new command's own done() is its first", ioucmd_on_done(&l, &c), 0);
	check("and a second one on it is a double completion again", ioucmd_on_done(&l, &c),
	      V(DOUBLE_COMPLETION));

	/* a synchronous command's life leaves nothing: a done() on its pointer is still caught */
	memset(&l, 0, sizeof(l));
	ioucmd_on_issue(&l, INLINE_FLAGS, 20);
	ioucmd_on_return(&l, INLINE_FLAGS, 0, 21);
	check("done() after the core posted a synchronous result",
	      ioucmd_on_done(&l, &c), V(COMPLETION_AFTER_SYNC_RETURN));
}

int main(void)
{
	ktap_plan(81);
	legal_paths();
	violations();
	cancelable_returns();
	unjudged();
	locked_context();
	tombstones();
	return ktap_finish();
}
