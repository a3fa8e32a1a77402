// SPDX-License-Identifier: GPL-2.0
/* The completion patterns done right: each comment names the rule it follows. */
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "ref.h"

static void ioucmd_ref_kworker_fn(struct work_struct *work)
{
	struct ioucmd_ref_work *w = container_of(work, struct ioucmd_ref_work, work);
	struct io_uring_cmd *ioucmd = w->cmd;

	/*
	 * rule: outside any io_uring frame the only legal flags are IO_URING_F_UNLOCKED (the core
	 * takes uring_lock itself); never the flags the handler saw at issue.
	 */
	ioucmd_ref_work_free(w);
	ioucmd_ref_complete(ioucmd, ioucmd_ref_pdu(ioucmd)->res, 0, IO_URING_F_UNLOCKED);
}

static void ioucmd_ref_delay_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	ioucmd_ref_work_free(ioucmd_ref_pdu(ioucmd)->w);
	ioucmd_ref_complete(ioucmd, dying ? -ECANCELED : 0, 0, issue_flags);
}

IOUCMD_REF_TW(ioucmd_ref_delay_tw)

static enum hrtimer_restart ioucmd_ref_delay_fn(struct hrtimer *timer)
{
	struct ioucmd_ref_work *w = container_of(timer, struct ioucmd_ref_work, timer);

	/* rule: hardirq context may not call done(): punt to the submitter's task work */
	ioucmd_ref_in_task_lazy(w->cmd, ioucmd_ref_delay_tw_tw);
	return HRTIMER_NORESTART;
}

static int ioucmd_ref_delay(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req)
{
	struct ioucmd_ref_work *w;

	if (req->arg > NSEC_PER_SEC)
		return -EINVAL;	/* a longer timer would outlive any test that waits for it */
	w = ioucmd_ref_work_new(ioucmd, GFP_NOWAIT);
	if (!w)
		return -ENOMEM;
	ioucmd_ref_hrtimer_setup(&w->timer, ioucmd_ref_delay_fn);
	hrtimer_start(&w->timer, ns_to_ktime(req->arg), HRTIMER_MODE_REL);
	return -EIOCBQUEUED;
}

/* BIG: the 80-byte command area needs a 128-byte SQE, res2 a 32-byte CQE */
static int ioucmd_ref_big(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct ioucmd_ref_big_cmd *big = ioucmd_ref_cmd128(ioucmd, struct ioucmd_ref_big_cmd);
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);
	u8 payload[sizeof(big->payload)];
	u32 len, i, sum = 0;

	if (!(issue_flags & IO_URING_F_SQE128) || !(issue_flags & IO_URING_F_CQE32))
		return -EINVAL;
	len = READ_ONCE(big->len);
	if (len > sizeof(payload))
		return -EINVAL;
	memcpy(payload, big->payload, len);	/* one read of user-shared memory */
	for (i = 0; i < len; i++)
		sum += payload[i];
	pdu->res = sum;
	pdu->res2 = READ_ONCE(big->arg);
	/* rule: res2 reaches the CQE only on a CQE32 ring, checked above */
	ioucmd_ref_done_in_task(ioucmd, false);
	return -EIOCBQUEUED;
}

static int ioucmd_ref_copy(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
			   bool out, unsigned int issue_flags)
{
	u8 buf[256];
	u32 done = 0, sum = 0, i;
	struct iov_iter iter;
	int ret;

	if (!req->len || req->len > SZ_1M)
		return -EINVAL;
	if (ioucmd->flags & IORING_URING_CMD_FIXED) {
		/* a registered buffer: the core resolves sqe->buf_index */
		ret = ioucmd_ref_import_fixed(req->arg, req->len, out ? ITER_DEST : ITER_SOURCE,
					      &iter, ioucmd, issue_flags);
		if (ret)
			return ret;
	} else {
		ret = ioucmd_ref_import_ubuf(out ? ITER_DEST : ITER_SOURCE,
					     u64_to_user_ptr(req->arg), req->len, &iter);
		if (ret)
			return ret;
	}
	while (done < req->len) {
		u32 n = min_t(u32, sizeof(buf), req->len - done);

		if (out) {
			memset(buf, 0xa5, n);
			if (copy_to_iter(buf, n, &iter) != n)
				return -EFAULT;
		} else {
			if (copy_from_iter(buf, n, &iter) != n)
				return -EFAULT;
			for (i = 0; i < n; i++)
				sum += buf[i];
		}
		done += n;
	}
	return out ? (int)req->len : (int)(sum & 0x7fffffff);
}

/* EAGAIN_ARG's user argument, read from user memory and checked */
static int ioucmd_ref_read_uarg(const struct ioucmd_ref_req *req, struct ioucmd_ref_uarg *uarg)
{
	if (req->len != sizeof(*uarg))
		return -EINVAL;
	if (copy_from_user(uarg, u64_to_user_ptr(req->arg), sizeof(*uarg)))
		return -EFAULT;
	if (uarg->wait_ns > NSEC_PER_SEC)
		return -EINVAL;	/* a longer wait would outlive any test that waits for it */
	return 0;
}

/*
 * EAGAIN_ARG: the user argument is consumed at the first issue, which, being nonblocking, asks
 * for the blocking reissue; that one works from the copy in the pdu. The application may reuse
 * the argument's memory as soon as io_uring_enter() has consumed the SQE, so reading it on the
 * reissue (reread: the FAULT_ARG_REREAD variant) reads whatever is there by then: btrfs did that
 * until c21b89d495ba "btrfs: don't read from userspace twice in btrfs_uring_encoded_read()"
 * (6.13).
 */
int ioucmd_ref_eagain_arg(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
			  unsigned int issue_flags, bool reread)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);
	struct ioucmd_ref_uarg uarg;
	int ret;

	/* the first issue; blocking only when it comes straight from io-wq (IOSQE_ASYNC) */
	if ((issue_flags & IO_URING_F_NONBLOCK) || !pdu->reissue) {
		ret = ioucmd_ref_read_uarg(req, &uarg);
		if (ret)
			return ret;
		pdu->res = REF_RES(uarg.value);
		pdu->saved.wait_us = div_u64(uarg.wait_ns, NSEC_PER_USEC);
		if (issue_flags & IO_URING_F_NONBLOCK)
			return -EAGAIN;
	}
	/* the blocking part of the work: a device that is busy for a while */
	if (pdu->saved.wait_us)
		fsleep(pdu->saved.wait_us);
	pdu->res2 = 0;
	if (reread) {
		struct ioucmd_ref_uarg again;

		if (copy_from_user(&again, u64_to_user_ptr(req->arg), sizeof(again)))
			return -EFAULT;
		pdu->res = REF_RES(again.value);
	}
	/* as EAGAIN: 6.1 drops a positive result returned on io-wq, so complete from task work */
	ioucmd_ref_done_in_task(ioucmd, false);
	return -EIOCBQUEUED;
}

int ioucmd_ref_command(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
		       unsigned int nr, unsigned int issue_flags)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);
	struct ioucmd_ref_work *w;

	switch (nr) {
	case IOUCMD_REF_NR_NOP:
		/* rule: a synchronous return is the completion; the core posts it */
		return REF_RES(req->arg);
	case IOUCMD_REF_NR_NOP_TW:
		/* rule: -EIOCBQUEUED hands completion to us; done() comes from task work */
		pdu->res = REF_RES(req->arg);
		pdu->res2 = 0;
		ioucmd_ref_done_in_task(ioucmd, false);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_NOP_TW_LAZY:
		pdu->res = REF_RES(req->arg);
		pdu->res2 = 0;
		ioucmd_ref_done_in_task(ioucmd, true);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_KWORKER:
		w = ioucmd_ref_work_new(ioucmd, GFP_NOWAIT);
		if (!w)
			return -ENOMEM;
		pdu->res = REF_RES(req->arg);
		INIT_WORK(&w->work, ioucmd_ref_kworker_fn);
		queue_work(system_unbound_wq, &w->work);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_DELAY:
		return ioucmd_ref_delay(ioucmd, req);
	case IOUCMD_REF_NR_EAGAIN:
		/* rule: -EAGAIN makes the core reissue from io-wq, blocking; no done() here */
		if (issue_flags & IO_URING_F_NONBLOCK)
			return -EAGAIN;
		/*
		 * The blocking reissue completes through task work: 6.1 drops a positive value
		 * returned on io-wq (io_wq_submit_work fails only ret < 0), so no CQE would come.
		 */
		pdu->res = REF_RES(req->arg);
		pdu->res2 = 0;
		ioucmd_ref_done_in_task(ioucmd, false);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_CANCELABLE:
		if (!IOUCMD_REF_F_CANCEL)
			return -EOPNOTSUPP;
		return ioucmd_ref_park_cancelable(ioucmd, issue_flags);
	case IOUCMD_REF_NR_KICK:
		return ioucmd_ref_kick();
	case IOUCMD_REF_NR_BIG:
		return ioucmd_ref_big(ioucmd, issue_flags);
	case IOUCMD_REF_NR_COPY_OUT:
		return ioucmd_ref_copy(ioucmd, req, true, issue_flags);
	case IOUCMD_REF_NR_COPY_IN:
		return ioucmd_ref_copy(ioucmd, req, false, issue_flags);
	case IOUCMD_REF_NR_EAGAIN_ARG:
		return ioucmd_ref_eagain_arg(ioucmd, req, issue_flags, false);
	}
	return -ENOTTY;	/* unreachable: main.c lets only the ABI's commands through */
}

/*
 * IO_URING_F_CANCEL: the ring is going away. The call holds uring_lock and may come again for
 * the same command; whoever unparks first completes it.
 */
int ioucmd_ref_cancel(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);
	struct ioucmd_ref_work *w;

	/*
	 * Only these commands are ever marked cancelable while queued; for any other (a
	 * FAULT_CANCELABLE_SYNC the core still lists after it completed) pdu->w is not ours to use.
	 */
	if (pdu->nr != IOUCMD_REF_NR_CANCELABLE && pdu->nr != IOUCMD_REF_NR_FAULT_IGNORE_CANCEL &&
	    pdu->nr != IOUCMD_REF_NR_FAULT_CANCEL_RACE)
		return 0;
	w = pdu->w;
	if (!w)
		return 0;
	if (pdu->nr == IOUCMD_REF_NR_FAULT_IGNORE_CANCEL ||
	    pdu->nr == IOUCMD_REF_NR_FAULT_CANCEL_RACE)
		return ioucmd_ref_fault_cancel(ioucmd, issue_flags);
	if (!ioucmd_ref_unpark(w))
		return 0;	/* KICK got there first: its task work completes it */
	/* rule: the cancel call completes with the flags it was given */
	ioucmd_ref_work_free(w);
	pdu->w = NULL;
	ioucmd_ref_complete(ioucmd, -ECANCELED, 0, issue_flags);
	return 0;
}
