/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every kernel difference the BPF side meets, as CO-RE checks resolved at load time: one
 * object runs on 6.1, 6.12 and 7.x. Never LINUX_VERSION_CODE. Each check names the kernel
 * change that made it necessary.
 */
#ifndef IOUCMD_CORE_FIXES_BPF_H
#define IOUCMD_CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "cmd_state.h"

/*
 * enum io_uring_cmd_flags values moved: 6.1 had MULTISHOT=32, SQE128=4, CQE32=8, IOPOLL=16;
 * "io_uring: add IO_URING_F_IOWQ" / the 6.2..6.12 renumbering put them at 4, 1<<8, 1<<9,
 * 1<<10; CANCEL (6.7, "io_uring: retain top 8bits of uring_cmd flags for kernel internal use"),
 * COMPAT, TASK_DEAD (6.12.y backport of "io_uring: allow uring_cmd task work to check if the
 * task is dying") and INLINE (6.18) appeared later; TASK_DEAD went again in 6.19 (tw.cancel).
 * Translate by name, through enum value relocations; a flag this kernel lacks maps to nothing.
 */
/* our own view of the enum, so that vmlinux.h need not have every name; matched by name */
enum io_uring_cmd_flags___ioucmd {
	IO_URING_F_COMPLETE_DEFER___ioucmd = 1,
	IO_URING_F_UNLOCKED___ioucmd,
	IO_URING_F_MULTISHOT___ioucmd,
	IO_URING_F_IOWQ___ioucmd,
	IO_URING_F_INLINE___ioucmd,
	IO_URING_F_NONBLOCK___ioucmd,
	IO_URING_F_SQE128___ioucmd,
	IO_URING_F_CQE32___ioucmd,
	IO_URING_F_IOPOLL___ioucmd,
	IO_URING_F_CANCEL___ioucmd,
	IO_URING_F_COMPAT___ioucmd,
	IO_URING_F_TASK_DEAD___ioucmd,
};

#define IOUCMD_XLATE(kflags, canon, NAME, BIT)						\
	do {										\
		if (bpf_core_enum_value_exists(enum io_uring_cmd_flags___ioucmd,	\
					       NAME##___ioucmd) &&			\
		    ((kflags) & (__u32)bpf_core_enum_value(enum io_uring_cmd_flags___ioucmd, \
							   NAME##___ioucmd)))		\
			(canon) |= (BIT);						\
	} while (0)

/*
 * A global function: the verifier checks it once, on its own, and sees its result as an
 * unknown scalar. Inlined, its 12 independent branches multiply the states of every caller.
 */
__noinline __u32 ioucmd_canon_flags(__u32 kflags)
{
	__u32 c = 0;

	IOUCMD_XLATE(kflags, c, IO_URING_F_COMPLETE_DEFER, IOUCMD_F_COMPLETE_DEFER);
	IOUCMD_XLATE(kflags, c, IO_URING_F_UNLOCKED, IOUCMD_F_UNLOCKED);
	IOUCMD_XLATE(kflags, c, IO_URING_F_MULTISHOT, IOUCMD_F_MULTISHOT);
	IOUCMD_XLATE(kflags, c, IO_URING_F_IOWQ, IOUCMD_F_IOWQ);
	IOUCMD_XLATE(kflags, c, IO_URING_F_INLINE, IOUCMD_F_INLINE);
	IOUCMD_XLATE(kflags, c, IO_URING_F_NONBLOCK, IOUCMD_F_NONBLOCK);
	IOUCMD_XLATE(kflags, c, IO_URING_F_SQE128, IOUCMD_F_SQE128);
	IOUCMD_XLATE(kflags, c, IO_URING_F_CQE32, IOUCMD_F_CQE32);
	IOUCMD_XLATE(kflags, c, IO_URING_F_IOPOLL, IOUCMD_F_IOPOLL);
	IOUCMD_XLATE(kflags, c, IO_URING_F_CANCEL, IOUCMD_F_CANCEL);
	IOUCMD_XLATE(kflags, c, IO_URING_F_COMPAT, IOUCMD_F_COMPAT);
	IOUCMD_XLATE(kflags, c, IO_URING_F_TASK_DEAD, IOUCMD_F_TASK_DEAD);
	return c;
}

/*
 * preempt_count on x86 lived in per-CPU __preempt_count, moved into struct pcpu_hot in 6.2
 * ("x86/percpu: Move preempt_count next to current_task", 64701838bf05) and back out in 6.15
 * ("x86/percpu: Move preempt_count to percpu hot section").
 */
struct pcpu_hot___ioucmd {
	int preempt_count;
} __attribute__((preserve_access_index));
extern struct pcpu_hot___ioucmd pcpu_hot __ksym __weak;
extern const int __preempt_count __ksym __weak;

#define IOUCMD_PREEMPT_BITS	0x00ffffffu	/* preempt, softirq, hardirq and NMI counts */

static __always_inline int ioucmd_preempt_count(void)
{
#if defined(__TARGET_ARCH_x86)
	if (bpf_ksym_exists(&__preempt_count))
		return *(int *)bpf_this_cpu_ptr(&__preempt_count) & IOUCMD_PREEMPT_BITS;
	if (bpf_ksym_exists(&pcpu_hot))
		return ((struct pcpu_hot___ioucmd *)bpf_this_cpu_ptr(&pcpu_hot))->preempt_count &
		       IOUCMD_PREEMPT_BITS;
#endif
	return 0;
}

/* IORING_SETUP_CQE32 is UAPI and stable; the field that holds it is ctx->flags everywhere */
#define IOUCMD_IORING_SETUP_CQE32	(1U << 11)

/* struct io_uring_cmd == struct io_kiocb (cmd_to_io_kiocb() is a cast in every version) */
static __always_inline struct io_ring_ctx *ioucmd_ctx(struct io_uring_cmd *cmd)
{
	return BPF_CORE_READ((struct io_kiocb *)cmd, ctx);
}

static __always_inline int ioucmd_ring_cqe32(struct io_ring_ctx *ctx)
{
	return !!(BPF_CORE_READ(ctx, flags) & IOUCMD_IORING_SETUP_CQE32);
}

/* mutex owner word with the low flag bits masked off (non-PREEMPT_RT mutex) */
static __always_inline int ioucmd_owns_uring_lock(struct io_ring_ctx *ctx)
{
	unsigned long owner = BPF_CORE_READ(ctx, uring_lock.owner.counter);

	return (owner & ~7UL) == (unsigned long)bpf_get_current_task();
}

static __always_inline __u64 ioucmd_user_data(struct io_uring_cmd *cmd)
{
	return BPF_CORE_READ((struct io_kiocb *)cmd, cqe.user_data);
}

/*
 * The task that submitted a request: req->task until 6.13; 6.14 ("io_uring: move struct
 * io_kiocb from task_struct to io_uring_task") keeps only req->tctx, whose ->task it is.
 */
struct io_kiocb___task {
	struct task_struct *task;
};

struct io_kiocb___tctx {
	struct io_uring_task *tctx;
};

struct io_uring_task___task {
	struct task_struct *task;
};

static __always_inline struct task_struct *ioucmd_req_task(struct io_uring_cmd *cmd)
{
	struct io_uring_task___task *tctx;

	if (bpf_core_field_exists(struct io_kiocb___task, task))
		return BPF_CORE_READ((struct io_kiocb___task *)cmd, task);
	tctx = (void *)BPF_CORE_READ((struct io_kiocb___tctx *)cmd, tctx);
	return BPF_CORE_READ(tctx, task);
}

#endif /* IOUCMD_CORE_FIXES_BPF_H */
