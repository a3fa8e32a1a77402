// SPDX-License-Identifier: GPL-2.0
/*
 * Each uring_cmd rule broken on purpose, exactly as a buggy driver breaks it, so that the
 * tracer can be shown to catch it. Only with faults=1 and CAP_SYS_ADMIN. Several of these
 * corrupt or hang the kernel (a double done() from task work hangs a 6.12 guest): they are run
 * in vm/run guests, one per boot.
 */
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "ref.h"

/* double completion: the task-work callback completes twice */
static void fault_double_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	ioucmd_ref_complete(ioucmd, 0, 0, issue_flags);
	ioucmd_ref_complete(ioucmd, 0, 0, issue_flags);
}

IOUCMD_REF_TW(fault_double_tw)

/* the 6.3 fix "pass in issue_flags for uring_cmd task_work handling": assumed locked, passed 0 */
static void fault_tw_zero(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	ioucmd_ref_complete(ioucmd, 0, 0, 0);
}

IOUCMD_REF_TW(fault_tw_zero)

/* res2 on a ring that has no room for it: the value silently never reaches user space */
static void fault_res2_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	ioucmd_ref_complete(ioucmd, 0, 42, issue_flags);
}

IOUCMD_REF_TW(fault_res2_tw)

/* the Rust misc-device sample (RFC v4): done() from a workqueue with the submit-time flags */
static void fault_wq_fn(struct work_struct *work)
{
	struct ioucmd_ref_work *w = container_of(work, struct ioucmd_ref_work, work);
	struct io_uring_cmd *ioucmd = w->cmd;
	unsigned int captured = w->issue_flags;

	ioucmd_ref_work_free(w);
	ioucmd_ref_complete(ioucmd, 0, 0, captured);
}

/* done() from hardirq context instead of punting to task work */
static enum hrtimer_restart fault_timer_fn(struct hrtimer *timer)
{
	struct ioucmd_ref_work *w = container_of(timer, struct ioucmd_ref_work, timer);
	struct io_uring_cmd *ioucmd = w->cmd;

	ioucmd_ref_complete(ioucmd, 0, 0, IO_URING_F_UNLOCKED);
	return HRTIMER_NORESTART;
}

/* the ublk race (fixed in 6.15, CVE-2025-37906): the completion already queued as task work */
static void fault_race_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	ioucmd_ref_complete(ioucmd, 0, 0, issue_flags);
}

IOUCMD_REF_TW(fault_race_tw)

/*
 * The result read from the SQE in task work, after -EIOCBQUEUED: io_uring_enter() has consumed
 * the SQE by then and the application may have reused its slot. 6.1, 6.12 and 6.17+ leave the
 * command's SQE pointer in the shared SQ ring unless the request went async; only 6.14 .. 6.16
 * copied every SQE at prep (d6211ebbdaa5 "io_uring/uring_cmd: unconditionally copy SQEs at
 * prep time"). scenarios/README.md has the details per kernel.
 */
static void fault_sqe_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	const struct ioucmd_ref_cmd *ucmd = ioucmd_ref_cmd(ioucmd, struct ioucmd_ref_cmd);

	ioucmd_ref_complete(ioucmd, REF_RES(READ_ONCE(ucmd->arg)), 0, issue_flags);
}

IOUCMD_REF_TW(fault_sqe_tw)

int ioucmd_ref_fault_cancel(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);

	if (pdu->nr == IOUCMD_REF_NR_FAULT_IGNORE_CANCEL)
		return 0;	/* the cancel request is ignored: ring exit waits forever */
	/*
	 * FAULT_CANCEL_RACE: the normal completion path has handed the command to task work,
	 * and the cancel path, not checking for that, completes it as well.
	 */
	if (!ioucmd_ref_unpark(pdu->w))
		return 0;
	io_uring_cmd_complete_in_task(ioucmd, fault_race_tw_tw);
	ioucmd_ref_complete(ioucmd, -ECANCELED, 0, issue_flags);
	return 0;
}

int ioucmd_ref_fault(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
		     unsigned int nr, unsigned int issue_flags)
{
	struct ioucmd_ref_work *w;

	switch (nr) {
	case IOUCMD_REF_NR_FAULT_DOUBLE_DONE:
		io_uring_cmd_complete_in_task(ioucmd, fault_double_tw_tw);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_DONE_THEN_SYNC:
		/* completed here, and the return value completes it again */
		ioucmd_ref_complete(ioucmd, 0, 0, issue_flags);
		return 0;
	case IOUCMD_REF_NR_FAULT_DONE_AFTER_EAGAIN:
		/* completed, and -EAGAIN makes the core issue it once more */
		if (!(issue_flags & IO_URING_F_NONBLOCK))
			return 0;
		ioucmd_ref_complete(ioucmd, 0, 0, issue_flags);
		return -EAGAIN;
	case IOUCMD_REF_NR_FAULT_WQ_ISSUE_FLAGS:
		w = ioucmd_ref_work_new(ioucmd, GFP_NOWAIT);
		if (!w)
			return -ENOMEM;
		w->issue_flags = issue_flags;
		INIT_WORK(&w->work, fault_wq_fn);
		queue_work(system_unbound_wq, &w->work);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_TW_FLAGS_ZERO:
		io_uring_cmd_complete_in_task(ioucmd, fault_tw_zero_tw);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_RES2_NO_CQE32:
		io_uring_cmd_complete_in_task(ioucmd, fault_res2_tw_tw);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_NEVER_DONE:
		/* queued and forgotten; the module stays pinned so that it cannot go away */
		if (!try_module_get(THIS_MODULE))
			return -ENODEV;
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_IGNORE_CANCEL:
	case IOUCMD_REF_NR_FAULT_CANCEL_RACE:
		if (!IOUCMD_REF_F_CANCEL)
			return -EOPNOTSUPP;
		return ioucmd_ref_park_cancelable(ioucmd, issue_flags);
	case IOUCMD_REF_NR_FAULT_TIMER_DONE:
		w = ioucmd_ref_work_new(ioucmd, GFP_NOWAIT);
		if (!w)
			return -ENOMEM;
		ioucmd_ref_hrtimer_setup(&w->timer, fault_timer_fn);
		hrtimer_start(&w->timer, ns_to_ktime(1000000), HRTIMER_MODE_REL);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_SQE_IN_TW:
		io_uring_cmd_complete_in_task(ioucmd, fault_sqe_tw_tw);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_FAULT_ARG_REREAD:
		return ioucmd_ref_eagain_arg(ioucmd, req, issue_flags, true);
	case IOUCMD_REF_NR_FAULT_CANCELABLE_SYNC:
		if (!IOUCMD_REF_F_CANCEL)
			return -EOPNOTSUPP;
		/*
		 * Marked, then completed by the return value: only done() takes a command off the
		 * ring's cancelable list, so ring exit calls the handler with IO_URING_F_CANCEL for
		 * a request that is long gone, again and again.
		 */
		ioucmd_ref_mark_cancelable(ioucmd, issue_flags);
		return 0;
	}
	return -ENOTTY;	/* unreachable: main.c lets only the ABI's commands through */
}
