/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The in-flight table: an open-addressed array of struct ioucmd_inflight whose key word is also
 * the slot's lock. A command P lives in one of IOUCMD_INFLIGHT_PROBES slots from its home slot
 * on; its key word reads P when free to take, P | IOUCMD_REC_LOCKED while held, 0 when the slot
 * is empty. There is no bucket lock and no free list: a lookup is an array index and a compare,
 * a lock is one compare-and-swap, an unlock one exchange.
 *
 * Who may do what, so that no update is lost and no record is read half-written:
 *   - a record is read and written only by the holder of its lock, in place;
 *   - only P's own issue path puts P into the table (the core issues a request from one context
 *     at a time), so P is never in two slots; a done() that comes early goes to the early map;
 *   - a slot changes hands only under its lock: an empty one is taken by compare-and-swap from
 *     0, a finished life (a tombstone) by its holder rewriting the key, which tells everyone
 *     waiting for the old command that it is gone;
 *   - a waiter never waits without end: after IOUCMD_REC_SPINS tries, or at once when the holder
 *     is its own CPU (an interrupt's done() inside a probe that holds the lock), it gives up and
 *     notes the time in lost_ns. Any life whose issue began before that time is then unjudged:
 *     counted as untracked, never reported, so a lost update can never become a false violation.
 * Why not bpf_spin_lock: the verifier refuses maps holding one to kprobe programs, and the
 * kprobe backend shares this table.
 */
#ifndef IOUCMD_LIVES_BPF_H
#define IOUCMD_LIVES_BPF_H

#include "common.bpf.h"

/*
 * Under TCG a holder's few hundred instructions can take tens of microseconds (a timer tick on
 * its vCPU): wait up to this many tries. The waiting is a bpf_loop() callback, verified once.
 */
#define IOUCMD_REC_SPINS	(1 << 16)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* the sweep reads it as memory */
	__uint(max_entries, IOUCMD_INFLIGHT_MAX);
	__type(key, __u32);
	__type(value, struct ioucmd_inflight);
} lives SEC(".maps");

enum rec_lock_result {
	REC_LOCKED,	/* held, and the slot is still the command's */
	REC_GONE,	/* the slot now holds another command, or none */
	REC_BUSY,	/* could not get it in time: the event goes unjudged */
};

static __always_inline struct ioucmd_inflight *lives_at(__u32 home, __u32 i)
{
	__u32 idx = (home + i) & ((1u << cfg.inflight_bits) - 1);

	return bpf_map_lookup_elem(&lives, &idx);
}

struct rec_spin {
	struct ioucmd_inflight *r;
	__u64 key;
	__u64 got;
	__u32 me;
};

static long rec_spin_once(__u64 i, void *data)
{
	struct rec_spin *s = data;

	s->got = __sync_val_compare_and_swap(&s->r->key, s->key, s->key | IOUCMD_REC_LOCKED);
	if (s->got != (s->key | IOUCMD_REC_LOCKED))
		return 1;
	/* held: by this CPU (we interrupted the holder), it would never let go */
	return s->r->owner == s->me;
}

/* the latest time an event of this slot went unrecorded: a maximum, kept with CAS */
static __always_inline void rec_note_lost(struct ioucmd_inflight *r, __u64 now)
{
	__u64 old = r->lost_ns, got;
	int i;

	for (i = 0; i < 4 && old < now; i++) {
		got = __sync_val_compare_and_swap(&r->lost_ns, old, now);
		if (got == old)
			break;
		old = got;
	}
}

static __always_inline enum rec_lock_result rec_lock(struct ioucmd_inflight *r, __u64 key, __u64 now)
{
	struct rec_spin s = { .r = r, .key = key, .me = bpf_get_smp_processor_id() + 1 };

	s.got = __sync_val_compare_and_swap(&r->key, key, key | IOUCMD_REC_LOCKED);
	if (s.got == (key | IOUCMD_REC_LOCKED) && r->owner != s.me)
		bpf_loop(IOUCMD_REC_SPINS, rec_spin_once, &s, 0);
	if (s.got == key) {
		r->owner = s.me;
		return REC_LOCKED;
	}
	if (s.got == (key | IOUCMD_REC_LOCKED)) {
		rec_note_lost(r, now);
		return REC_BUSY;
	}
	return REC_GONE;
}

static __always_inline void rec_unlock(struct ioucmd_inflight *r, __u64 key)
{
	r->owner = 0;
	__sync_lock_test_and_set(&r->key, key);
}

/* an event lost to this slot's lock may belong to the life now in it: judge nothing of it */
static __always_inline void rec_check_lost(struct ioucmd_inflight *r)
{
	if (r->lost_ns && r->lost_ns >= r->life.issue_ns)
		r->life.marks |= IOUCMD_M_UNJUDGED;
}

/*
 * The slot of cmd's record, locked: >= 0; or -1, none; or -2, it could not be locked. The key
 * word is read with an atomic add of 0: a full barrier, so that a record published before a
 * frame was cleared is seen by whoever saw the frame cleared (done_common's second look).
 * Global (not inlined): the verifier checks it once, not at every caller.
 */
__noinline int lives_lock_idx(__u64 cmd, __u64 now)
{
	__u32 home = ioucmd_home(cmd, cfg.inflight_bits);
	struct ioucmd_inflight *r;
	__u64 k;
	int i;

	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		r = lives_at(home, i);
		if (!r)
			return -1;
		k = __sync_fetch_and_add(&r->key, 0);
		if ((k & ~IOUCMD_REC_LOCKED) != cmd)
			continue;
		switch (rec_lock(r, cmd, now)) {
		case REC_LOCKED:
			rec_check_lost(r);
			return (home + i) & ((1u << cfg.inflight_bits) - 1);
		case REC_BUSY:
			return -2;
		default:
			return -1;
		}
	}
	return -1;
}

/*
 * cmd's slot, locked: its own record if it has one (a tombstone of its last life, or the life
 * an -EAGAIN left; *fresh = 0), else an empty slot, else a slot whose life is over (*fresh = 1).
 * -1 when every slot is busy with a live command, -2 when cmd's own was busy too long. Only
 * cmd's issue path (and a done() of a command never seen issued) calls this, so no one can
 * insert cmd meanwhile.
 */
__noinline int lives_take_idx(__u64 cmd, __u64 now, int *fresh)
{
	__u32 home = ioucmd_home(cmd, cfg.inflight_bits), mask = (1u << cfg.inflight_bits) - 1;
	struct ioucmd_inflight *r;
	int i, own;
	__u64 k;

	if (!fresh)
		return -1;
	*fresh = 0;
	own = lives_lock_idx(cmd, now);
	if (own != -1)
		return own;
	*fresh = 1;
	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		r = lives_at(home, i);
		if (!r)
			return -1;
		if (!__sync_val_compare_and_swap(&r->key, 0, cmd | IOUCMD_REC_LOCKED)) {
			r->owner = bpf_get_smp_processor_id() + 1;
			r->lost_ns = 0;
			return (home + i) & mask;
		}
	}
	/* no empty slot: take over a finished life (its tombstone is the least to lose) */
	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		r = lives_at(home, i);
		if (!r)
			return -1;
		k = r->key;
		if (!k || (k & IOUCMD_REC_LOCKED) || !ioucmd_life_over(&r->life))
			continue;
		if (__sync_val_compare_and_swap(&r->key, k, k | IOUCMD_REC_LOCKED) != k)
			continue;
		if (!ioucmd_life_over(&r->life)) {
			__sync_lock_test_and_set(&r->key, k);
			continue;
		}
		r->owner = bpf_get_smp_processor_id() + 1;
		r->lost_ns = 0;
		/* waiters for the old command see a key that is not theirs: gone */
		__sync_lock_test_and_set(&r->key, cmd | IOUCMD_REC_LOCKED);
		return (home + i) & mask;
	}
	return -1;
}

/*
 * The issue time of cmd's life, read without its lock (its holder may be writing it): for a
 * done() that could not take the lock and must say which life it belongs to. 0 if none.
 */
static __always_inline __u64 lives_peek_issue(__u64 cmd)
{
	__u32 home = ioucmd_home(cmd, cfg.inflight_bits);
	struct ioucmd_inflight *r;
	int i;

	for (i = 0; i < IOUCMD_INFLIGHT_PROBES; i++) {
		r = lives_at(home, i);
		if (!r)
			return 0;
		if ((__sync_fetch_and_add(&r->key, 0) & ~IOUCMD_REC_LOCKED) == cmd)
			return r->life.issue_ns;
	}
	return 0;
}

static __always_inline struct ioucmd_inflight *lives_slot(int idx)
{
	__u32 i = idx;

	return idx < 0 ? NULL : bpf_map_lookup_elem(&lives, &i);
}

/* cmd's record, locked, or NULL (none, or *busy when it could not be locked) */
static __always_inline struct ioucmd_inflight *lives_lock(__u64 cmd, __u64 now, bool *busy)
{
	int idx = lives_lock_idx(cmd, now);

	*busy = idx == -2;
	return lives_slot(idx);
}

/* lives_take_idx() as a pointer; *full: no slot for it at all */
static __always_inline struct ioucmd_inflight *lives_take(__u64 cmd, __u64 now, bool *busy,
							  bool *fresh, bool *full)
{
	int is_fresh = 0, idx = lives_take_idx(cmd, now, &is_fresh);

	*busy = idx == -2;
	*full = idx == -1;
	*fresh = is_fresh;
	return lives_slot(idx);
}

#endif /* IOUCMD_LIVES_BPF_H */
