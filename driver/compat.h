/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the reference driver meets, in one place.
 * Kbuild tells us what the headers have (see Kbuild); nothing else in the driver looks at
 * versions. Each difference names the kernel commit that made it.
 */
#ifndef IOUCMD_REF_COMPAT_H
#define IOUCMD_REF_COMPAT_H

#include <linux/build_bug.h>
#include <linux/hrtimer.h>
#include <linux/uio.h>
#ifdef IOUCMD_HAVE_CMD_H
#include <linux/io_uring/cmd.h>		/* 6.12+ */
#else
#include <linux/io_uring.h>		/* 6.1: API lives here, command data is cmd->cmd */
#endif

/*
 * The SQE's command area as a TYPE, 16 bytes (or 80 with SQE128 for ioucmd_ref_cmd128()).
 * 7.0 made io_uring_sqe_cmd() a macro that takes the type and checks its size at build time
 * (ea129e55c9e0 "io_uring: Add size check for sqe->cmd"); older kernels get the same check here.
 */
#if defined(IOUCMD_HAVE_SQE_CMD_TYPE)
#define ioucmd_ref_cmd(ioucmd, type)	io_uring_sqe_cmd((ioucmd)->sqe, type)
#define ioucmd_ref_cmd128(ioucmd, type)	io_uring_sqe128_cmd((ioucmd)->sqe, type)
#else
#ifdef IOUCMD_HAVE_CMD_H
#define ioucmd_ref_cmd_bytes(ioucmd)	io_uring_sqe_cmd((ioucmd)->sqe)
#else
#define ioucmd_ref_cmd_bytes(ioucmd)	((ioucmd)->cmd)
#endif
#define ioucmd_ref_cmd(ioucmd, type)	({				\
	BUILD_BUG_ON(sizeof(type) > 16);				\
	(const type *)ioucmd_ref_cmd_bytes(ioucmd);			\
})
#define ioucmd_ref_cmd128(ioucmd, type)	({				\
	BUILD_BUG_ON(sizeof(type) > 80);				\
	(const type *)ioucmd_ref_cmd_bytes(ioucmd);			\
})
#endif

/*
 * done(). 6.18 exports __io_uring_cmd_done(cmd, ret, res2, flags, is_cqe32) and makes
 * io_uring_cmd_done(cmd, ret, flags) and io_uring_cmd_done32(cmd, ret, res2, flags) inline
 * wrappers (79525b51acc1 "io_uring: fix nvme's 32b cqes on mixed cq"). A res2 asks for the
 * 32-byte completion, as it did before: it reaches user space only on a CQE32 ring.
 */
static inline void ioucmd_ref_done(struct io_uring_cmd *ioucmd, int res, u64 res2,
				   unsigned int issue_flags)
{
#ifdef IOUCMD_HAVE_DONE32
	if (res2)
		io_uring_cmd_done32(ioucmd, res, res2, issue_flags);
	else
		io_uring_cmd_done(ioucmd, res, issue_flags);
#else
	io_uring_cmd_done(ioucmd, res, res2, issue_flags);
#endif
}

/*
 * Task-work callbacks. The driver writes them as fn(ioucmd, issue_flags, dying) and
 * IOUCMD_REF_TW(fn) makes fn_tw, the callback this kernel's io_uring_cmd_complete_in_task()
 * takes. dying: the submitter is exiting (or the ring going away); the callback still runs and
 * must still complete the command.
 *
 * 6.19 calls callbacks directly with (struct io_tw_req, io_tw_token_t): done() from them takes
 * IO_URING_CMD_TASK_WORK_ISSUE_FLAGS and tw.cancel replaces IO_URING_F_TASK_DEAD
 * (c33e779aba68 "io_uring: add wrapper type for io_req_tw_func_t arg", 20fb3d05a34b
 * "io_uring/uring_cmd: avoid double indirect call in task work dispatch"). Before, callbacks
 * got (ioucmd, issue_flags), with IO_URING_F_TASK_DEAD from 6.12.y on ("io_uring: allow
 * uring_cmd task work to check if the task is dying", backported from 6.17).
 */
#ifdef IOUCMD_HAVE_TW_REQ
#define IOUCMD_REF_TW(fn)							\
static void fn##_tw(struct io_tw_req tw_req, io_tw_token_t tw)			\
{										\
	fn(io_uring_cmd_from_tw(tw_req), IO_URING_CMD_TASK_WORK_ISSUE_FLAGS,	\
	   tw.cancel);								\
}
#else
static inline bool ioucmd_ref_task_dead(unsigned int issue_flags)
{
#ifdef IOUCMD_HAVE_TASK_DEAD
	return issue_flags & IO_URING_F_TASK_DEAD;
#else
	return false;
#endif
}

#define IOUCMD_REF_TW(fn)							\
static void fn##_tw(struct io_uring_cmd *ioucmd, unsigned int issue_flags)	\
{										\
	fn(ioucmd, issue_flags, ioucmd_ref_task_dead(issue_flags));		\
}
#endif

/* task work with the lazy wake-up where the kernel has it (6.5+), plain otherwise */
#ifdef IOUCMD_HAVE_LAZY
#define ioucmd_ref_in_task_lazy(ioucmd, cb)	io_uring_cmd_do_in_task_lazy(ioucmd, cb)
#else
#define ioucmd_ref_in_task_lazy(ioucmd, cb)	io_uring_cmd_complete_in_task(ioucmd, cb)
#endif

/*
 * Cancelable commands (6.7+). 7.0 ignores mark_cancelable() for IOPOLL requests ("io_uring/
 * uring_cmd: explicitly disallow cancelations for IOPOLL"); this driver has no ->uring_cmd_iopoll,
 * so its commands are never IOPOLL requests (6.x refuses them on IOPOLL rings, 7.1 issues them
 * as ordinary ones), and the rule changes nothing here.
 */
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

/*
 * A registered buffer (sqe->buf_index) as an iov_iter. 6.15 passes the issue_flags along, for
 * the buffer table's lock (69d483d5f43e "io_uring/nvme: pass issue_flags to
 * io_uring_cmd_import_fixed()").
 */
static inline int ioucmd_ref_import_fixed(u64 ubuf, unsigned long len, int rw,
					  struct iov_iter *iter, struct io_uring_cmd *ioucmd,
					  unsigned int issue_flags)
{
#ifdef IOUCMD_HAVE_IMPORT_FIXED_FLAGS
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, ioucmd, issue_flags);
#else
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, ioucmd);
#endif
}

/*
 * A relative CLOCK_MONOTONIC hrtimer calling fn. hrtimer_setup() (6.13, 908a1d775422
 * "hrtimers: Introduce hrtimer_setup() to replace hrtimer_init()") took over, and hrtimer_init()
 * went soon after (9779489a31d7 "hrtimers: Delete hrtimer_init()").
 */
static inline void ioucmd_ref_hrtimer_setup(struct hrtimer *timer,
					    enum hrtimer_restart (*fn)(struct hrtimer *))
{
#ifdef IOUCMD_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer->function = fn;
#endif
}

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
