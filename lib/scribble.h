/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The application reusing what io_uring has consumed: once the kernel's SQ head has passed an
 * SQE, the ABI gives its slot back to the application, and with it whatever the command's
 * contract says is consumed at issue (a user argument). A scribbler overwrites exactly those
 * (each byte inverted), never anything the kernel may still read at issue, so a correct driver's
 * results stay exact and a driver that reads them later shows it in its results.
 *
 *   after_submit  the submitting thread itself, right after io_uring_enter() returned;
 *   racing        a thread of its own, as soon as the kernel publishes the SQ head, while
 *                 io_uring_enter() may still be running task work and io-wq the reissues.
 *
 * Needs liburing's direct SQ slot to SQE mapping (array[i] == i), which it checks.
 */
#ifndef IOUCMD_SCRIBBLE_H
#define IOUCMD_SCRIBBLE_H

#include <stdbool.h>
#include <stddef.h>

enum scribble_mode {
	SCRIBBLE_OFF,
	SCRIBBLE_AFTER_SUBMIT,
	SCRIBBLE_RACING,
	SCRIBBLE__COUNT
};

/* the modes' names, as scenario files write them */
static const char *const scribble_mode_names[SCRIBBLE__COUNT] = {
	[SCRIBBLE_OFF] = "off",
	[SCRIBBLE_AFTER_SUBMIT] = "after_submit",
	[SCRIBBLE_RACING] = "racing",
};

struct io_uring;
struct scribbler;

/*
 * For ring, whose submitter keeps nbufs buffers of buf_len bytes at bufs (buffer b for runner
 * slot b; bufs may be NULL when arg is off). NULL with a sentence in err on failure.
 */
struct scribbler *scribbler_start(struct io_uring *ring, enum scribble_mode sqe,
				  enum scribble_mode arg, char *bufs, size_t buf_len,
				  unsigned int nbufs, char *err, size_t errlen);

/*
 * The submitter is about to fill SQ position pos (the ring's sqe_tail before the
 * io_uring_get_sqe() that returned it) with the command of runner slot buf: waits until the
 * scribbler is done with the slot's and the buffer's previous commands.
 */
void scribbler_claim(struct scribbler *s, unsigned int pos, unsigned int buf);

/* io_uring_enter() has submitted: after_submit overwrites what the kernel consumed */
void scribbler_submitted(struct scribbler *s);

/* stops its thread and frees it; NULL is fine */
void scribbler_stop(struct scribbler *s);

#endif /* IOUCMD_SCRIBBLE_H */
