/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the reference driver meets, in one place.
 * Kbuild tells us what the headers have (see Kbuild); nothing else in the driver looks at
 * versions.
 */
#ifndef IOUCMD_REF_COMPAT_H
#define IOUCMD_REF_COMPAT_H

#include <linux/uio.h>
#ifdef IOUCMD_HAVE_CMD_H
#include <linux/io_uring/cmd.h>		/* 6.12+ */
#else
#include <linux/io_uring.h>		/* 6.1: API lives here, command data is cmd->cmd */
#endif

/* The SQE's command area (16 bytes, 80 with SQE128). */
static inline const void *ioucmd_ref_cmd_area(struct io_uring_cmd *ioucmd)
{
#ifdef IOUCMD_HAVE_CMD_H
	return io_uring_sqe_cmd(ioucmd->sqe);
#else
	return ioucmd->cmd;
#endif
}

static inline void ioucmd_ref_done(struct io_uring_cmd *ioucmd, int res, u64 res2,
				   unsigned int issue_flags)
{
	io_uring_cmd_done(ioucmd, res, res2, issue_flags);
}

/* task work with the lazy wake-up where the kernel has it (6.5+), plain otherwise */
static inline void ioucmd_ref_in_task_lazy(struct io_uring_cmd *ioucmd,
					   void (*cb)(struct io_uring_cmd *, unsigned int))
{
#ifdef IOUCMD_HAVE_LAZY
	io_uring_cmd_do_in_task_lazy(ioucmd, cb);
#else
	io_uring_cmd_complete_in_task(ioucmd, cb);
#endif
}

#ifdef IOUCMD_HAVE_CANCELABLE
#define IOUCMD_REF_F_CANCEL	IO_URING_F_CANCEL
static inline void ioucmd_ref_mark_cancelable(struct io_uring_cmd *ioucmd,
					      unsigned int issue_flags)
{
	io_uring_cmd_mark_cancelable(ioucmd, issue_flags);
}
#else
#define IOUCMD_REF_F_CANCEL	0	/* 6.1: the core never cancels uring_cmds */
static inline void ioucmd_ref_mark_cancelable(struct io_uring_cmd *ioucmd,
					      unsigned int issue_flags)
{
}
#endif

/* a user buffer as an iov_iter */
static inline int ioucmd_ref_import_ubuf(int rw, void __user *buf, size_t len,
					 struct iov_iter *iter)
{
#ifdef IOUCMD_HAVE_IMPORT_UBUF
	return import_ubuf(rw, buf, len, iter);
#else
	struct iovec iov;

	return import_single_range(rw, buf, len, &iov, iter);
#endif
}

#endif /* IOUCMD_REF_COMPAT_H */
