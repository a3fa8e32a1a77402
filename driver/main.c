// SPDX-License-Identifier: GPL-2.0
/*
 * ioucmd_ref: the reference uring_cmd driver. Each command shows one completion pattern done
 * the way the io_uring core expects; see include/ioucmd/ioucmd_ref.h for the ABI.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/atomic.h>
#include <ioucmd/ioucmd_ref.h>
#include "compat.h"

struct ioucmd_ref_counters {
	atomic64_t issued[IOUCMD_REF_MODES];
	atomic64_t queued[IOUCMD_REF_MODES];
	atomic64_t completed[IOUCMD_REF_MODES];
	atomic64_t sync_returns[IOUCMD_REF_MODES];
	atomic64_t eagain[IOUCMD_REF_MODES];
	atomic64_t cancelled[IOUCMD_REF_MODES];
	atomic64_t rejected;
};

static struct ioucmd_ref_counters counters;

/* Per-command state kept in the io_uring_cmd pdu between issue and completion. */
struct ioucmd_ref_pdu {
	s32 res;
	u8 nr;
};

static struct ioucmd_ref_pdu *ioucmd_ref_pdu(struct io_uring_cmd *ioucmd)
{
	return (struct ioucmd_ref_pdu *)ioucmd->pdu;
}

static void ioucmd_ref_complete(struct io_uring_cmd *ioucmd, int res, unsigned int issue_flags)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);

	atomic64_inc(&counters.completed[pdu->nr]);
	ioucmd_ref_done(ioucmd, res, 0, issue_flags);
}

/*
 * Task-work callback: the core runs it in the submitter's task and hands it the issue_flags of
 * that context; done() must get exactly those, never the ones seen at issue time.
 */
static void ioucmd_ref_tw_cb(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	ioucmd_ref_complete(ioucmd, ioucmd_ref_pdu(ioucmd)->res, issue_flags);
}

static int ioucmd_ref_stats(const struct ioucmd_ref_cmd *c)
{
	struct ioucmd_ref_stats st;
	int i;

	if (c->len < sizeof(st))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	for (i = 0; i < IOUCMD_REF_MODES; i++) {
		st.issued[i] = atomic64_read(&counters.issued[i]);
		st.queued[i] = atomic64_read(&counters.queued[i]);
		st.completed[i] = atomic64_read(&counters.completed[i]);
		st.sync_returns[i] = atomic64_read(&counters.sync_returns[i]);
		st.eagain[i] = atomic64_read(&counters.eagain[i]);
		st.cancelled[i] = atomic64_read(&counters.cancelled[i]);
	}
	st.rejected = atomic64_read(&counters.rejected);
	if (copy_to_user(u64_to_user_ptr(c->arg), &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static int ioucmd_ref_dispatch(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_cmd *c,
			       unsigned int nr, unsigned int issue_flags)
{
	struct ioucmd_ref_pdu *pdu = ioucmd_ref_pdu(ioucmd);

	switch (nr) {
	case IOUCMD_REF_NR_NOP:
		/* rule: a synchronous return is the completion; the core posts it */
		return c->arg & 0x7fffffff;
	case IOUCMD_REF_NR_NOP_TW:
		/* rule: -EIOCBQUEUED hands completion to us; done() comes from task work */
		pdu->res = c->arg & 0x7fffffff;
		io_uring_cmd_complete_in_task(ioucmd, ioucmd_ref_tw_cb);
		return -EIOCBQUEUED;
	case IOUCMD_REF_NR_STATS:
		return ioucmd_ref_stats(c);
	}
	return -ENOTTY;
}

static int ioucmd_ref_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct ioucmd_ref_cmd *ucmd = ioucmd_ref_cmd_area(ioucmd);
	u32 cmd_op = READ_ONCE(ioucmd->cmd_op);
	unsigned int nr = _IOC_NR(cmd_op);
	struct ioucmd_ref_cmd c;
	int ret;

	BUILD_BUG_ON(sizeof(struct ioucmd_ref_pdu) > sizeof(ioucmd->pdu));

	if (nr >= IOUCMD_REF_MODES || cmd_op != IOUCMD_REF_CMD(nr)) {
		atomic64_inc(&counters.rejected);
		return -ENOTTY;
	}
	/* the SQE is shared with userspace: read each field once */
	c.arg = READ_ONCE(ucmd->arg);
	c.len = READ_ONCE(ucmd->len);
	c.flags = READ_ONCE(ucmd->flags);
	if (c.flags) {
		atomic64_inc(&counters.rejected);
		return -EINVAL;
	}

	atomic64_inc(&counters.issued[nr]);
	ioucmd_ref_pdu(ioucmd)->nr = nr;
	ret = ioucmd_ref_dispatch(ioucmd, &c, nr, issue_flags);
	if (ret == -EIOCBQUEUED)
		atomic64_inc(&counters.queued[nr]);
	else if (ret == -EAGAIN)
		atomic64_inc(&counters.eagain[nr]);
	else
		atomic64_inc(&counters.sync_returns[nr]);
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
