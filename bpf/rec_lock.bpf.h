/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A lock per in-flight record, so that the handler's return on one CPU and done() on another
 * (or the CQE, or a reissue on an io-wq worker) never interleave their read-modify-write of one
 * command's life.
 *
 * Why not bpf_spin_lock: the verifier refuses any map holding one to kprobe programs ("tracing
 * progs cannot use bpf_spin_lock yet"), and the kprobe backend shares this map and this code.
 * So a compare-and-swap word with two rules that keep it sound:
 *   - it never waits without end: after IOUCMD_REC_SPINS failed tries (or at once, when this
 *     CPU holds it: an interrupt's done() inside the handler's fexit) the caller gives up and
 *     the life is marked IOUCMD_M_UNJUDGED: counted as untracked, never judged, so a lost
 *     update can never become a false violation;
 *   - elements are recycled (preallocated hash map): the key is checked once the lock is held,
 *     and records are deleted only by a holder of their lock.
 */
#ifndef IOUCMD_REC_LOCK_BPF_H
#define IOUCMD_REC_LOCK_BPF_H

#include "ioucmd.h"

/*
 * Under TCG a holder's few hundred instructions can take tens of microseconds (a timer tick on
 * its vCPU): wait up to this many tries. The waiting is a bpf_loop() callback, verified once,
 * not an unrolled loop in every caller.
 */
#define IOUCMD_REC_SPINS	(1 << 16)

enum rec_lock_result {
	REC_LOCKED,	/* held, and the record is still key's */
	REC_GONE,	/* the element now holds another command (or none): treat as absent */
	REC_BUSY,	/* could not get it: the life is marked unjudged */
};

struct rec_spin {
	struct ioucmd_inflight *r;
	__u32 me;
	__u32 owner;
};

static long rec_spin_once(__u64 i, void *data)
{
	struct rec_spin *s = data;

	s->owner = __sync_val_compare_and_swap(&s->r->lock, 0, s->me);
	/* stop when taken, or when this CPU is the holder: interrupted, it would never let go */
	return !s->owner || s->owner == s->me;
}

static __always_inline enum rec_lock_result rec_lock(struct ioucmd_inflight *r, __u64 key)
{
	struct rec_spin s = { .r = r, .me = bpf_get_smp_processor_id() + 1 };

	s.owner = __sync_val_compare_and_swap(&r->lock, 0, s.me);
	if (s.owner && s.owner != s.me)
		bpf_loop(IOUCMD_REC_SPINS, rec_spin_once, &s, 0);
	if (s.owner) {
		__sync_fetch_and_or(&r->life.marks, IOUCMD_M_UNJUDGED);
		return REC_BUSY;
	}
	if (r->key == key)
		return REC_LOCKED;
	__sync_val_compare_and_swap(&r->lock, s.me, 0);
	return REC_GONE;
}

/* only the holder's own value is cleared: a recycled element's insert may have reset it */
static __always_inline void rec_unlock(struct ioucmd_inflight *r)
{
	__sync_val_compare_and_swap(&r->lock, bpf_get_smp_processor_id() + 1, 0);
}

/* everything but the lock word, which sits last */
static __always_inline void rec_store(struct ioucmd_inflight *dst, const struct ioucmd_inflight *src)
{
	__builtin_memcpy(dst, src, __builtin_offsetof(struct ioucmd_inflight, lock));
}

#endif /* IOUCMD_REC_LOCK_BPF_H */
