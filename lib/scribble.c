// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Overwrites SQ slots and argument buffers the kernel has consumed (see scribble.h). Positions
 * are SQ ring positions, the 32-bit counters of the ring's head and tail: position p lives in
 * slot p & mask, and the kernel has consumed it once its published head is past p. `done` is
 * the first position not yet overwritten; only the scribbling thread advances it, and the
 * submitter refills a slot or a buffer only once `done` is past its previous command.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <liburing.h>
#include "scribble.h"

struct scribbler {
	struct io_uring *ring;
	enum scribble_mode sqe, arg;
	char *bufs;
	size_t buf_len;
	unsigned int nbufs;
	unsigned int *slot_buf;		/* the runner slot whose command each SQ slot carries */
	unsigned int *buf_pos;		/* the SQ position each buffer was last sent at */
	bool *buf_sent;			/* ... if it was sent at all */
	unsigned int done;		/* atomic: every position before it is overwritten */
	bool stop;			/* atomic: the racing thread's end */
	bool threaded;
	pthread_t thread;
};

static void invert(void *p, size_t len)
{
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] ^= 0xff;
}

/* position p is consumed: what the application may now reuse gets overwritten */
static void scribble_pos(struct scribbler *s, unsigned int p)
{
	struct io_uring *ring = s->ring;
	bool big = ring->flags & IORING_SETUP_SQE128;
	unsigned int slot = p & ring->sq.ring_mask;
	struct io_uring_sqe *sqe = &ring->sq.sqes[slot << (big ? 1 : 0)];

	if (s->sqe != SCRIBBLE_OFF)
		invert(sqe->cmd, big ? 80 : 16);
	if (s->arg != SCRIBBLE_OFF && s->bufs) {
		unsigned int b = __atomic_load_n(&s->slot_buf[slot], __ATOMIC_RELAXED);

		if (b < s->nbufs)
			invert(s->bufs + (size_t)b * s->buf_len, s->buf_len);
	}
}

/* overwrites every position the kernel has published consumed; returns how many */
static unsigned int catch_up(struct scribbler *s)
{
	unsigned int head = __atomic_load_n(s->ring->sq.khead, __ATOMIC_ACQUIRE);
	unsigned int p = __atomic_load_n(&s->done, __ATOMIC_RELAXED), n = 0;

	for (; p != head; p++, n++) {
		scribble_pos(s, p);
		__atomic_store_n(&s->done, p + 1, __ATOMIC_RELEASE);
	}
	return n;
}

static void *racing_main(void *arg)
{
	struct scribbler *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		if (!catch_up(s))
			sched_yield();
	return NULL;
}

struct scribbler *scribbler_start(struct io_uring *ring, enum scribble_mode sqe,
				  enum scribble_mode arg, char *bufs, size_t buf_len,
				  unsigned int nbufs, char *err, size_t errlen)
{
	struct scribbler *s;
	unsigned int entries = ring->sq.ring_entries;

	for (unsigned int i = 0; ring->sq.array && i < entries; i++) {
		if (ring->sq.array[i] != i) {
			snprintf(err, errlen, "this liburing does not map SQ slots to SQEs one to one: "
				 "scribbling cannot tell which slot the kernel consumed");
			return NULL;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->slot_buf = calloc(entries, sizeof(*s->slot_buf))) ||
	    !(s->buf_pos = calloc(nbufs ? nbufs : 1, sizeof(*s->buf_pos))) ||
	    !(s->buf_sent = calloc(nbufs ? nbufs : 1, sizeof(*s->buf_sent)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->ring = ring;
	s->sqe = sqe;
	s->arg = arg;
	s->bufs = bufs;
	s->buf_len = buf_len;
	s->nbufs = nbufs;
	s->done = *ring->sq.khead;
	for (unsigned int i = 0; i < entries; i++)
		s->slot_buf[i] = UINT32_MAX;
	s->threaded = sqe == SCRIBBLE_RACING || arg == SCRIBBLE_RACING;
	if (s->threaded && pthread_create(&s->thread, NULL, racing_main, s)) {
		snprintf(err, errlen, "cannot start the scribbling thread");
		goto fail;
	}
	return s;
fail:
	if (s) {
		free(s->slot_buf);
		free(s->buf_pos);
		free(s->buf_sent);
	}
	free(s);
	return NULL;
}

/* every position before p is overwritten (positions compare modulo 2^32) */
static bool scribbled(struct scribbler *s, unsigned int p)
{
	return (int)(__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) - p) > 0;
}

void scribbler_claim(struct scribbler *s, unsigned int pos, unsigned int buf)
{
	unsigned int slot = pos & s->ring->sq.ring_mask;
	bool has_buf = buf < s->nbufs && s->buf_sent[buf];

	/* the slot's previous command was at pos - entries; the buffer's at buf_pos[buf] */
	while (!scribbled(s, pos - s->ring->sq.ring_entries) ||
	       (has_buf && !scribbled(s, s->buf_pos[buf]))) {
		if (s->threaded || !catch_up(s))
			sched_yield();	/* SQPOLL: the kernel thread has not got there yet */
	}
	__atomic_store_n(&s->slot_buf[slot], buf, __ATOMIC_RELAXED);
	if (buf < s->nbufs) {
		s->buf_pos[buf] = pos;
		s->buf_sent[buf] = true;
	}
}

void scribbler_submitted(struct scribbler *s)
{
	if (!s->threaded)
		catch_up(s);
}

void scribbler_stop(struct scribbler *s)
{
	if (!s)
		return;
	if (s->threaded) {
		__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
		pthread_join(s->thread, NULL);
	}
	free(s->slot_buf);
	free(s->buf_pos);
	free(s->buf_sent);
	free(s);
}
