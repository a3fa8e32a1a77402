// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The scribbler (lib/scribble.c) on a real ring of the host: IORING_OP_NOP ignores the bytes
 * where a uring_cmd keeps its command area, so they can be marked and watched. What the kernel
 * has consumed must be overwritten, once, and nothing it has not: a slot still being prepared,
 * an argument buffer whose command is not submitted yet.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <liburing.h>
#include "scribble.h"
#include "ktap.h"

#define ENTRIES		8
#define BUF_LEN		16

static char bufs[ENTRIES][BUF_LEN];

/* a NOP in the next slot, its command area and runner buffer b filled with mark */
static unsigned int prep(struct io_uring *ring, struct scribbler *s, unsigned int b, int mark)
{
	unsigned int pos = ring->sq.sqe_tail;
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	scribbler_claim(s, pos, b);
	io_uring_prep_nop(sqe);
	sqe->user_data = b;
	memset(sqe->cmd, mark, 16);
	memset(bufs[b], mark, BUF_LEN);
	return pos & ring->sq.ring_mask;
}

static int all(const void *p, int v, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)v)
			return 0;
	return 1;
}

static void reap(struct io_uring *ring, unsigned int n)
{
	struct io_uring_cqe *cqe;

	while (n-- && !io_uring_wait_cqe(ring, &cqe))
		io_uring_cqe_seen(ring, cqe);
}

/* racing: the thread gets there on its own; give it up to a second */
static int eventually(const void *p, int v, size_t n)
{
	for (int i = 0; i < 1000; i++) {
		if (all(p, v, n))
			return 1;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return 0;
}

static void after_submit(void)
{
	struct io_uring ring;
	struct scribbler *s;
	unsigned int a, b, c;
	char err[256];

	if (io_uring_queue_init(ENTRIES, &ring, 0)) {
		ktap_result(0, "after_submit: a ring");
		return;
	}
	s = scribbler_start(&ring, SCRIBBLE_AFTER_SUBMIT, SCRIBBLE_AFTER_SUBMIT, &bufs[0][0],
			    BUF_LEN, ENTRIES, err, sizeof(err));
	ktap_result(s != NULL, "after_submit: starts");
	if (!s)
		goto out;
	a = prep(&ring, s, 0, 0x11);
	b = prep(&ring, s, 1, 0x22);
	ktap_result(io_uring_submit(&ring) == 2, "after_submit: two NOPs submitted");
	c = prep(&ring, s, 2, 0x33);	/* prepared, not submitted */
	scribbler_submitted(s);
	ktap_result(all(ring.sq.sqes[a].cmd, 0xee, 16) && all(ring.sq.sqes[b].cmd, 0xdd, 16),
		    "after_submit: the consumed slots' command areas are inverted");
	ktap_result(all(bufs[0], 0xee, BUF_LEN) && all(bufs[1], 0xdd, BUF_LEN),
		    "after_submit: and their commands' argument buffers");
	ktap_result(all(ring.sq.sqes[c].cmd, 0x33, 16) && all(bufs[2], 0x33, BUF_LEN),
		    "after_submit: a slot not yet submitted, and its buffer, are left alone");
	scribbler_submitted(s);
	ktap_result(all(ring.sq.sqes[a].cmd, 0xee, 16), "after_submit: each slot is inverted once");
	ktap_result(io_uring_submit(&ring) == 1, "after_submit: the third submitted");
	scribbler_submitted(s);
	ktap_result(all(ring.sq.sqes[c].cmd, 0xcc, 16) && all(bufs[2], 0xcc, BUF_LEN),
		    "after_submit: ... and inverted once consumed");
	reap(&ring, 3);
	/* around the ring: the slots are reused, the buffers too */
	for (unsigned int i = 0; i < 2 * ENTRIES; i++) {
		prep(&ring, s, i % ENTRIES, 0x40 + (int)i);
		io_uring_submit(&ring);
		scribbler_submitted(s);
		reap(&ring, 1);
	}
	ktap_result(all(bufs[(2 * ENTRIES - 1) % ENTRIES], ~(0x40 + 2 * ENTRIES - 1) & 0xff, BUF_LEN),
		    "after_submit: twice around the ring, the last command's buffer is inverted");
	scribbler_stop(s);
out:
	io_uring_queue_exit(&ring);
}

static void racing(void)
{
	struct io_uring ring;
	struct scribbler *s;
	unsigned int a;
	char err[256];

	if (io_uring_queue_init(ENTRIES, &ring, 0)) {
		ktap_result(0, "racing: a ring");
		return;
	}
	s = scribbler_start(&ring, SCRIBBLE_RACING, SCRIBBLE_OFF, &bufs[0][0], BUF_LEN, ENTRIES,
			    err, sizeof(err));
	ktap_result(s != NULL, "racing: starts its thread");
	if (!s)
		goto out;
	a = prep(&ring, s, 3, 0x5a);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	ktap_result(all(ring.sq.sqes[a].cmd, 0x5a, 16),
		    "racing: a prepared, unsubmitted slot is left alone");
	io_uring_submit(&ring);
	ktap_result(eventually(ring.sq.sqes[a].cmd, 0xa5, 16),
		    "racing: the thread inverts the slot once the kernel has consumed it");
	ktap_result(all(bufs[3], 0x5a, BUF_LEN), "racing: arg_scribble off leaves the buffer alone");
	reap(&ring, 1);
	/* many round trips: every claim waits for the thread, and every slot is inverted */
	unsigned int missed = 0;

	for (unsigned int i = 0; i < 1000 && !missed; i++) {
		a = prep(&ring, s, i % ENTRIES, 0x01);
		io_uring_submit(&ring);
		reap(&ring, 1);
		if (!eventually(ring.sq.sqes[a].cmd, 0xfe, 16))
			missed = i + 1;
	}
	if (missed)
		printf("# round trip %u: its consumed slot was not inverted\n", missed);
	ktap_result(!missed, "racing: 1000 round trips through reused slots, each inverted once");
	scribbler_stop(s);
out:
	io_uring_queue_exit(&ring);
}

int main(void)
{
	ktap_plan(14);
	after_submit();
	racing();
	return ktap_finish();
}
