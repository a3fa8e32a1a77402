// SPDX-License-Identifier: GPL-2.0
/*
 * ioucmd_ref: the reference uring_cmd driver. Each command shows one completion pattern done
 * the way the io_uring core expects (commands.c), or, with faults=1, one rule broken on purpose
 * (faults.c); see include/ioucmd/ioucmd_ref.h for the ABI.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include "ref.h"

struct ioucmd_ref_counters ioucmd_ref_counters;

bool ioucmd_ref_faults;
module_param_named(faults, ioucmd_ref_faults, bool, 0444);
MODULE_PARM_DESC(faults, "allow the FAULT_* commands, which break the uring_cmd rules (root only)");

/* cancelable commands waiting for KICK or for the ring to exit */
static LIST_HEAD(ioucmd_ref_parked);
static DEFINE_SPINLOCK(ioucmd_ref_parked_lock);

void ioucmd_ref_complete(struct io_uring_cmd *ioucmd, int res, u64 res2, unsigned int issue_flags)
{
	unsigned int nr = ioucmd_ref_pdu(ioucmd)->nr;

	atomic64_inc(&ioucmd_ref_counters.completed[nr]);
	if (res == -ECANCELED)
		atomic64_inc(&ioucmd_ref_counters.cancelled[nr]);
	/* DELAY's ground truth ends where done() begins */
	if (nr == IOUCMD_REF_NR_DELAY)
		ioucmd_ref_lat_record(ktime_get_ns() - ioucmd_ref_pdu(ioucmd)->issue_ns);
	ioucmd_ref_done(ioucmd, res, res2, issue_flags);
}

/*
 * Task-work callback: the core runs it in the submitter's task and hands it the issue_flags of
 * that context; done() must get exactly those, never the ones seen at issue time. It runs even
 * when the submitter is exiting, and must complete then too: with -ECANCELED, as ublk does.
 */
static void ioucmd_ref_tw_done(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);

	ioucmd_ref_complete(ioucmd, dying ? -ECANCELED : pdu->res, pdu->res2, issue_flags);
}

IOUCMD_REF_TW(ioucmd_ref_tw_done)

void ioucmd_ref_done_in_task(struct io_uring_cmd *ioucmd, bool lazy)
{
	if (lazy)
		ioucmd_ref_in_task_lazy(ioucmd, ioucmd_ref_tw_done_tw);
	else
		io_uring_cmd_complete_in_task(ioucmd, ioucmd_ref_tw_done_tw);
}

/* async state lives outside the pdu; it pins the module until the command is completed */
struct ioucmd_ref_work *ioucmd_ref_work_new(struct io_uring_cmd *ioucmd, gfp_t gfp)
{
	struct ioucmd_ref_work *w;

	if (!try_module_get(THIS_MODULE))
		return NULL;
	w = kzalloc(sizeof(*w), gfp);
	if (!w) {
		module_put(THIS_MODULE);
		return NULL;
	}
	w->cmd = ioucmd;
	INIT_LIST_HEAD(&w->parked);
	ioucmd_ref_pdu(ioucmd)->w = w;
	return w;
}

void ioucmd_ref_work_free(struct ioucmd_ref_work *w)
{
	kfree(w);
	module_put(THIS_MODULE);
}

void ioucmd_ref_park(struct ioucmd_ref_work *w)
{
	atomic_set(&w->state, REF_PARKED);
	spin_lock(&ioucmd_ref_parked_lock);
	list_add_tail(&w->parked, &ioucmd_ref_parked);
	spin_unlock(&ioucmd_ref_parked_lock);
}

/* CANCELABLE: parked until KICK or the ring's cancel call */
int ioucmd_ref_park_cancelable(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct ioucmd_ref_work *w = ioucmd_ref_work_new(ioucmd, GFP_NOWAIT);

	if (!w)
		return -ENOMEM;
	/* rule: mark_cancelable gets the handler's own flags */
	ioucmd_ref_mark_cancelable(ioucmd, issue_flags);
	ioucmd_ref_park(w);
	return -EIOCBQUEUED;
}

/* the one caller that moves a parked command on wins; the others must leave it alone */
bool ioucmd_ref_unpark(struct ioucmd_ref_work *w)
{
	if (atomic_cmpxchg(&w->state, REF_PARKED, REF_COMPLETING) != REF_PARKED)
		return false;
	spin_lock(&ioucmd_ref_parked_lock);
	list_del_init(&w->parked);
	spin_unlock(&ioucmd_ref_parked_lock);
	return true;
}

static void ioucmd_ref_kick_cb(struct io_uring_cmd *ioucmd, unsigned int issue_flags, bool dying)
{
	struct ioucmd_ref_work *w = ioucmd_ref_pdu(ioucmd)->w;

	/* rule: task work completes with the flags it was given */
	ioucmd_ref_complete(ioucmd, -ECANCELED, 0, issue_flags);
	ioucmd_ref_work_free(w);
}

IOUCMD_REF_TW(ioucmd_ref_kick_cb)

/*
 * KICK: completes every parked command. They may belong to other rings and tasks, so done()
 * is not called from here but from each command's own task work.
 */
int ioucmd_ref_kick(void)
{
	struct ioucmd_ref_work *w, *tmp;
	LIST_HEAD(kicked);
	int n = 0;

	spin_lock(&ioucmd_ref_parked_lock);
	list_for_each_entry_safe(w, tmp, &ioucmd_ref_parked, parked) {
		if (atomic_cmpxchg(&w->state, REF_PARKED, REF_COMPLETING) != REF_PARKED)
			continue;
		list_move_tail(&w->parked, &kicked);
	}
	spin_unlock(&ioucmd_ref_parked_lock);
	list_for_each_entry_safe(w, tmp, &kicked, parked) {
		list_del_init(&w->parked);
		io_uring_cmd_complete_in_task(w->cmd, ioucmd_ref_kick_cb_tw);
		n++;
	}
	return n;
}

static int ioucmd_ref_stats(const struct ioucmd_ref_req *req)
{
	struct ioucmd_ref_counters *c = &ioucmd_ref_counters;
	struct ioucmd_ref_stats *st;
	int i, ret = 0;

	if (req->len < sizeof(*st))
		return -EINVAL;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (i = 0; i < IOUCMD_REF_NR_SPACE; i++) {
		st->issued[i] = atomic64_read(&c->issued[i]);
		st->queued[i] = atomic64_read(&c->queued[i]);
		st->completed[i] = atomic64_read(&c->completed[i]);
		st->sync_returns[i] = atomic64_read(&c->sync_returns[i]);
		st->eagain[i] = atomic64_read(&c->eagain[i]);
		st->cancelled[i] = atomic64_read(&c->cancelled[i]);
	}
	st->rejected = atomic64_read(&c->rejected);
	if (copy_to_user(u64_to_user_ptr(req->arg), st, sizeof(*st)))
		ret = -EFAULT;
	kfree(st);
	return ret;
}

static int ioucmd_ref_reject(int err)
{
	atomic64_inc(&ioucmd_ref_counters.rejected);
	return err;
}

static int ioucmd_ref_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	u64 issue_ns = ktime_get_ns();	/* DELAY's ground truth starts here */
	const struct ioucmd_ref_cmd *ucmd;
	struct ioucmd_ref_pdu *pdu;
	u32 cmd_op = READ_ONCE(ioucmd->cmd_op);
	unsigned int nr = _IOC_NR(cmd_op);
	struct ioucmd_ref_req req;
	int ret;

	BUILD_BUG_ON(sizeof(struct ioucmd_ref_pdu) > sizeof(ioucmd->pdu));

	/* the cancel call comes for a command already queued: its SQE is not to be read */
	if (issue_flags & IOUCMD_REF_F_CANCEL) {
		nr = ioucmd_ref_pdu(ioucmd)->nr;
		if (nr < IOUCMD_REF_NR_SPACE)
			atomic64_inc(&ioucmd_ref_counters.issued[nr]);
		return ioucmd_ref_cancel(ioucmd, issue_flags);
	}
	/* a command the ABI does not name is rejected, and not counted issued */
	if (nr >= IOUCMD_REF_NR_SPACE || cmd_op != IOUCMD_REF_CMD(nr) || !ioucmd_ref_cmd_names[nr])
		return ioucmd_ref_reject(-ENOTTY);
	pdu = ioucmd_ref_pdu(ioucmd);
	if (pdu->reissue && pdu->nr == nr && !(issue_flags & IO_URING_F_NONBLOCK)) {
		/*
		 * The blocking reissue after -EAGAIN works from what the first issue read, not
		 * from the SQE: 6.11 .. 6.13.3 and 6.12.y copy the SQE on -EAGAIN but leave the
		 * command's SQE pointer in the SQ ring (fixed by e663da62ba86 "io_uring/uring_cmd:
		 * switch sqe to async_data on EAGAIN"), and the application may have reused it.
		 */
		req.arg = pdu->saved.arg;
		req.len = pdu->saved.len;
		req.flags = 0;
	} else {
		pdu->reissue = 0;
		/* the SQE is shared with user space: read each field once */
		ucmd = ioucmd_ref_cmd(ioucmd, struct ioucmd_ref_cmd);
		req.arg = READ_ONCE(ucmd->arg);
		req.len = READ_ONCE(ucmd->len);
		req.flags = READ_ONCE(ucmd->flags);
		if (req.flags)
			return ioucmd_ref_reject(-EINVAL);
	}

	atomic64_inc(&ioucmd_ref_counters.issued[nr]);
	pdu->nr = nr;
	if (nr == IOUCMD_REF_NR_DELAY)
		pdu->issue_ns = issue_ns;
	if (nr == IOUCMD_REF_NR_STATS)
		ret = ioucmd_ref_stats(&req);
	else if (nr == IOUCMD_REF_NR_LATENCIES)
		ret = ioucmd_ref_lat_read(&req);
	else if (nr >= IOUCMD_REF_NR_FAULT_DOUBLE_DONE)
		ret = ioucmd_ref_faults && capable(CAP_SYS_ADMIN) ?
		      ioucmd_ref_fault(ioucmd, &req, nr, issue_flags) : -EPERM;
	else
		ret = ioucmd_ref_command(ioucmd, &req, nr, issue_flags);
	pdu->reissue = ret == -EAGAIN && (issue_flags & IO_URING_F_NONBLOCK);
	if (pdu->reissue) {
		pdu->saved.arg = req.arg;
		pdu->saved.len = req.len;
	}
	if (ret == -EIOCBQUEUED)
		atomic64_inc(&ioucmd_ref_counters.queued[nr]);
	else if (ret == -EAGAIN)
		atomic64_inc(&ioucmd_ref_counters.eagain[nr]);
	else
		atomic64_inc(&ioucmd_ref_counters.sync_returns[nr]);
	return ret;
}

static const struct file_operations ioucmd_ref_fops = {
	.owner = THIS_MODULE,
	.uring_cmd = ioucmd_ref_uring_cmd,
};

static struct miscdevice ioucmd_ref_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = IOUCMD_REF_DEVNAME,
	.fops = &ioucmd_ref_fops,
	.mode = 0666,
};

module_misc_device(ioucmd_ref_misc);

MODULE_DESCRIPTION("ioucmd reference uring_cmd driver");
MODULE_LICENSE("GPL");
