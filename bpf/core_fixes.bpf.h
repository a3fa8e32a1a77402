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
 * Only the judged bits are translated here; events carry the kernel's bits, which the loader
 * decodes from the same enum in BTF.
 */
/* our own view of the enum, so that vmlinux.h need not have every name; matched by name */
#define IOUCMD_KFLAG_NAME(name)	IO_URING_F_##name##___ioucmd,
enum io_uring_cmd_flags___ioucmd {
	IOUCMD_FOR_EACH_FLAG(IOUCMD_KFLAG_NAME)
};
#undef IOUCMD_KFLAG_NAME

/* the kernel's value of one flag, or 0 where this kernel lacks it (a CO-RE constant) */
#define IOUCMD_KFLAG(NAME)								\
	(bpf_core_enum_value_exists(enum io_uring_cmd_flags___ioucmd, NAME##___ioucmd) ?	\
	 (__u32)bpf_core_enum_value(enum io_uring_cmd_flags___ioucmd, NAME##___ioucmd) : 0)

/*
 * The bits the state machine judges by, canonical: locking and deferral, the kind of issue
 * (NONBLOCK inline, CANCEL), the ring's IOPOLL. The rest are decoded for people in user space.
 */
static __always_inline __u32 ioucmd_judge_flags(__u32 kflags)
{
	__u32 c = 0;

	if (kflags & IOUCMD_KFLAG(IO_URING_F_COMPLETE_DEFER))
		c |= IOUCMD_F_COMPLETE_DEFER;
	if (kflags & IOUCMD_KFLAG(IO_URING_F_UNLOCKED))
		c |= IOUCMD_F_UNLOCKED;
	if (kflags & IOUCMD_KFLAG(IO_URING_F_NONBLOCK))
		c |= IOUCMD_F_NONBLOCK;
	if (kflags & IOUCMD_KFLAG(IO_URING_F_IOPOLL))
		c |= IOUCMD_F_IOPOLL;
	if (kflags & IOUCMD_KFLAG(IO_URING_F_CANCEL))
		c |= IOUCMD_F_CANCEL;
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

/*
 * Serving a hardirq, a softirq or an NMI (softirqs merely disabled do not count: that is
 * SOFTIRQ_OFFSET's bit, not the disable count above it). Code there runs on whatever task it
 * interrupted, so a done() from it is never that task's issue's own.
 */
#define IOUCMD_IRQ_CONTEXT_BITS	(0x00f00000u | 0x000f0000u | 0x00000100u)

static __always_inline bool ioucmd_in_interrupt(void)
{
	return ioucmd_preempt_count() & IOUCMD_IRQ_CONTEXT_BITS;
}

/*
 * A kprobe's registers say whether interrupts were on where it fired: the one sign of an
 * atomic caller that a kprobe can read exactly (its own preemption count is not: see the
 * loader's preempt_bias).
 */
static __always_inline bool ioucmd_regs_irqs_off(void *ctx)
{
#if defined(__TARGET_ARCH_x86)
	return !(((struct pt_regs *)ctx)->flags & 0x200);	/* X86_EFLAGS_IF */
#elif defined(__TARGET_ARCH_arm64)
	return ((struct user_pt_regs *)ctx)->pstate & 0x80;	/* PSR_I_BIT */
#else
	return false;
#endif
}

/* IORING_SETUP_* are UAPI and stable; the field that holds them is ctx->flags everywhere */
#define IOUCMD_IORING_SETUP_IOPOLL	(1U << 0)
#define IOUCMD_IORING_SETUP_SQE128	(1U << 10)
#define IOUCMD_IORING_SETUP_CQE32	(1U << 11)
/* IORING_URING_CMD_CANCELABLE: the kernel-internal top bit of io_uring_cmd.flags since 6.7 */
#define IOUCMD_URING_CMD_CANCELABLE	(1U << 30)
#define IOUCMD_IORING_OP_URING_CMD	46	/* UAPI */

/* 7.1 added a second opcode for commands in 128-byte SQEs of a mixed ring */
enum io_uring_op___ioucmd {
	IORING_OP_URING_CMD128___ioucmd = 64,
};

static __always_inline bool ioucmd_is_uring_cmd_op(__u32 opcode)
{
	if (opcode == IOUCMD_IORING_OP_URING_CMD)
		return true;
	return bpf_core_enum_value_exists(enum io_uring_op___ioucmd, IORING_OP_URING_CMD128___ioucmd) &&
	       opcode == bpf_core_enum_value(enum io_uring_op___ioucmd, IORING_OP_URING_CMD128___ioucmd);
}

/*
 * What the probes read of a request. fentry and fexit arguments are trusted BTF pointers, read
 * with plain loads (trusted = true); kprobe arguments and tracepoint void pointers are not, and
 * go through bpf_probe_read (BPF_CORE_READ). struct io_uring_cmd sits at the start of struct
 * io_kiocb in every version (cmd_to_io_kiocb() is a cast), so one pointer is both.
 */
static __always_inline __u64 ioucmd_req_handler(struct io_kiocb *req, bool trusted)
{
	struct file *file = trusted ? req->file : BPF_CORE_READ(req, file);

	if (!file)
		return 0;
	return trusted ? (__u64)file->f_op->uring_cmd : (__u64)BPF_CORE_READ(file, f_op, uring_cmd);
}

static __always_inline __u32 ioucmd_req_cmd_op(struct io_kiocb *req, bool trusted)
{
	struct io_uring_cmd *cmd = (struct io_uring_cmd *)req;

	return trusted ? cmd->cmd_op : BPF_CORE_READ(cmd, cmd_op);
}

static __always_inline struct io_ring_ctx *ioucmd_req_ctx(struct io_kiocb *req, bool trusted)
{
	return trusted ? req->ctx : BPF_CORE_READ(req, ctx);
}

static __always_inline __u32 ioucmd_ring_flags(struct io_ring_ctx *ctx, bool trusted)
{
	return trusted ? ctx->flags : BPF_CORE_READ(ctx, flags);
}

static __always_inline __u64 ioucmd_req_user_data(struct io_kiocb *req, bool trusted)
{
	return trusted ? req->cqe.user_data : BPF_CORE_READ(req, cqe.user_data);
}

/* the result the core will post for a synchronous return (io_req_set_res) */
static __always_inline __s32 ioucmd_req_res(struct io_kiocb *req, bool trusted)
{
	return trusted ? req->cqe.res : BPF_CORE_READ(req, cqe.res);
}

static __always_inline __u64 ioucmd_req_flags(struct io_kiocb *req, bool trusted)
{
	return trusted ? (__u64)req->flags : (__u64)BPF_CORE_READ(req, flags);
}

/* mutex owner word with the low flag bits masked off (non-PREEMPT_RT mutex) */
static __always_inline int ioucmd_owns_uring_lock(struct io_ring_ctx *ctx, bool trusted)
{
	unsigned long owner = trusted ? ctx->uring_lock.owner.counter
				      : BPF_CORE_READ(ctx, uring_lock.owner.counter);

	return (owner & ~7UL) == (unsigned long)bpf_get_current_task();
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

static __always_inline struct task_struct *ioucmd_req_task(struct io_kiocb *cmd)
{
	struct io_uring_task___task *tctx;

	if (bpf_core_field_exists(struct io_kiocb___task, task))
		return BPF_CORE_READ((struct io_kiocb___task *)cmd, task);
	tctx = (void *)BPF_CORE_READ((struct io_kiocb___tctx *)cmd, tctx);
	return BPF_CORE_READ(tctx, task);
}

/* who the cancel loop serves (its second argument): req->task until 6.13, req->tctx since */
static __always_inline __u64 ioucmd_req_owner(struct io_kiocb *req)
{
	if (bpf_core_field_exists(struct io_kiocb___task, task))
		return (__u64)BPF_CORE_READ((struct io_kiocb___task *)req, task);
	return (__u64)BPF_CORE_READ((struct io_kiocb___tctx *)req, tctx);
}

#endif /* IOUCMD_CORE_FIXES_BPF_H */
