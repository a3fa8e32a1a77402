/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the reference driver meets, in one place.
 * Kbuild tells us which uring_cmd API the headers have (see Kbuild); nothing else in the
 * driver looks at versions.
 */
#ifndef IOUCMD_REF_COMPAT_H
#define IOUCMD_REF_COMPAT_H

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

/* Task-work callback signature and how it completes. */
typedef void (*ioucmd_ref_tw_fn)(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

static inline void ioucmd_ref_done(struct io_uring_cmd *ioucmd, int res, u64 res2,
				   unsigned int issue_flags)
{
	io_uring_cmd_done(ioucmd, res, res2, issue_flags);
}

#endif /* IOUCMD_REF_COMPAT_H */
