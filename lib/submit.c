// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The load generator behind `ioucmd submit` and `ioucmd run`: each thread owns a ring, keeps up
 * to qd commands in flight, submits in batches and reaps every CQE, timing each command from
 * submission to reaping. Slots (one per in-flight command) carry the user_data and a buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <ioucmd/ioucmd_ref.h>
#include <liburing.h>
#include "clock.h"
#include "scribble.h"
#include "submit.h"

#define RES_UNKNOWN	INT64_MIN

#ifndef IORING_URING_CMD_FIXED
#define IORING_URING_CMD_FIXED (1U << 0)
#endif

struct worker {
	const struct submit_job *job;
	uint64_t rng;		/* fuzz: xorshift64* state */
	uint64_t quota;		/* commands this thread completes (0: duration) */
	struct submit_result res;
	int err;
	char msg[256];
	pthread_t thread;
};


/* the target: a device path, or a socket made here for socket uring_cmds */
static int open_target(const char *device)
{
	if (!strcmp(device, "socket:udp"))
		return socket(AF_INET, SOCK_DGRAM, 0);
	if (!strcmp(device, "socket:tcp"))
		return socket(AF_INET, SOCK_STREAM, 0);
	return open(device, O_RDWR);
}

/* every command this process submits, in all rings and threads */
static uint64_t commands_numbered;

static void prep_cmd(struct io_uring_sqe *sqe, const struct submit_job *job, int fd,
		     unsigned int slot, void *buf)
{
	size_t area = job->sqe128 ? 80 : 16;
	uint64_t addr = (uintptr_t)buf;

	memset(sqe, 0, job->sqe128 ? 128 : 64);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = job->cmd_op;
	sqe->user_data = slot;
	sqe->addr = job->sqe_addr;
	sqe->addr3 = job->sqe_addr3;
	if (job->sqe_async)
		sqe->flags |= IOSQE_ASYNC;
	if (job->data_len)
		memcpy(sqe->cmd, job->data, job->data_len < area ? job->data_len : area);
	if (buf && job->buf_addr_off + sizeof(addr) <= area)
		memcpy(sqe->cmd + job->buf_addr_off, &addr, sizeof(addr));
	if (buf && job->fixed_buffers) {
		sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
		sqe->buf_index = slot;
	}
}

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/*
 * fuzz: mostly well-formed commands with one thing wrong, so that the driver's deeper paths
 * see odd values too, and now and then pure noise. The SQE around the command stays valid, so
 * that every command reaches the driver and the counts stay exact: no IOSQE_* flags (6.1 also
 * loses a positive result returned on io-wq, so IOSQE_ASYNC would hang the ring there) and no
 * uring_cmd_flags, which the core checks before the driver sees anything.
 */
static void fuzz_cmd(struct io_uring_sqe *sqe, const struct submit_job *job, uint64_t *rng)
{
	size_t area = job->sqe128 ? 80 : 16;
	uint64_t r = rng_next(rng), arg;
	uint32_t op = (job->cmd_op & ~0xffu) | (r & 0x1f), len;

	switch ((r >> 8) & 3) {
	case 2:
		op ^= 1u << ((r >> 16) & 31);	/* one bit off: size, direction, type */
		break;
	case 3:
		op = (uint32_t)rng_next(rng);
		break;
	}
	sqe->cmd_op = op;
	for (size_t i = 0; i < area; i += 8) {
		uint64_t v = rng_next(rng);

		memcpy(sqe->cmd + i, &v, area - i < 8 ? area - i : 8);
	}
	if ((r >> 10) & 3) {
		/* a plausible struct ioucmd_ref_cmd: small arg (a delay, an echo, a bad address) */
		arg = rng_next(rng) % 2000000;
		len = (uint32_t)(rng_next(rng) % 8192);
		memcpy(sqe->cmd, &arg, sizeof(arg));
		memcpy(sqe->cmd + 8, &len, sizeof(len));
		if ((r >> 12) & 7)
			memset(sqe->cmd + 12, 0, 4);	/* flags 0, mostly */
	}
}

static void account(const struct submit_job *job, struct submit_result *r,
		    struct io_uring_cqe *cqe, uint64_t lat, int64_t expected)
{
	uint32_t b = ioucmd_hist_bucket(lat);

	if (!r->cqes || cqe->res < r->res_min)
		r->res_min = cqe->res;
	if (!r->cqes || cqe->res > r->res_max)
		r->res_max = cqe->res;
	if (job->cqe32) {
		uint64_t res2 = cqe->big_cqe[0];

		if (!r->big_cqes || res2 < r->res2_min)
			r->res2_min = res2;
		if (!r->big_cqes || res2 > r->res2_max)
			r->res2_max = res2;
		r->big_cqes++;
	}
	r->cqes++;
	if (cqe->res < 0)
		r->cqe_errors++;
	if (job->check_res)
		expected = job->expect_res;
	if (expected != RES_UNKNOWN) {
		r->res_checked++;
		if (cqe->res != expected) {
			if (!r->res_mismatch)
				r->first_bad_res = cqe->res;
			r->res_mismatch++;
		}
	}
	if (b < IOUCMD_HIST_BUCKETS)
		r->lat[b]++;
}

#ifndef IORING_SETUP_HYBRID_IOPOLL
#define IORING_SETUP_HYBRID_IOPOLL	(1U << 17)	/* 6.13 UAPI; bookworm's liburing predates it */
#endif

static unsigned int setup_flags(const struct submit_job *job)
{
	return (job->sqe128 ? IORING_SETUP_SQE128 : 0) | (job->cqe32 ? IORING_SETUP_CQE32 : 0) |
	       (job->sqpoll ? IORING_SETUP_SQPOLL : 0) | (job->iopoll ? IORING_SETUP_IOPOLL : 0) |
	       (job->single_issuer ? IORING_SETUP_SINGLE_ISSUER : 0) |
	       (job->defer_taskrun ? IORING_SETUP_DEFER_TASKRUN : 0) |
	       (job->hybrid_iopoll ? IORING_SETUP_HYBRID_IOPOLL : 0);
}

/* a buffer as its command is sent: buf_init, then 0x5a */
static void fill_buf(const struct submit_job *job, char *buf)
{
	size_t n = job->buf_init_len < job->buf_len ? job->buf_init_len : job->buf_len;

	memcpy(buf, job->buf_init, n);
	memset(buf + n, 0x5a, job->buf_len - n);
}

/* the result a correct driver gives the command in sqe, or RES_UNKNOWN */
static int64_t expected_res(const struct submit_job *job, const struct io_uring_sqe *sqe,
			    const char *buf)
{
	int32_t res;

	if (!job->expect_fn || job->fuzz)
		return RES_UNKNOWN;	/* fuzzed commands are judged by the tracer only */
	if (!job->expect_fn(sqe->cmd_op, sqe->cmd, job->sqe128 ? 80 : 16, (const uint8_t *)buf,
			    buf ? job->buf_len : 0, setup_flags(job), &res))
		return RES_UNKNOWN;
	return res;
}

static int run_ring(struct worker *w, struct io_uring *ring, int fd, unsigned int qd,
		    char *bufs, struct scribbler *scribbler)
{
	const struct submit_job *job = w->job;
	unsigned int batch = job->batch ? job->batch : 1, nfree = qd;
	unsigned int *freelist = calloc(qd, sizeof(*freelist));
	uint64_t *sent_at = calloc(qd, sizeof(*sent_at));
	int64_t *expect = calloc(qd, sizeof(*expect));
	uint64_t start = now_ns(), deadline, started = 0, progress = start;
	int ret = 0;

	if (!freelist || !sent_at || !expect) {
		free(freelist);
		free(sent_at);
		free(expect);
		snprintf(w->msg, sizeof(w->msg), "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < qd; i++)
		freelist[i] = qd - 1 - i;
	deadline = job->duration_ns ? start + job->duration_ns : UINT64_MAX;
	for (;;) {
		bool more = w->quota ? started < w->quota : now_ns() < deadline;
		unsigned int queued = 0, head, n = 0;
		struct io_uring_cqe *cqe;
		uint64_t now;

		while (more && nfree && queued < batch) {
			unsigned int pos = ring->sq.sqe_tail;
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			unsigned int slot;
			char *buf;

			if (!sqe)
				break;
			slot = freelist[--nfree];
			buf = bufs ? bufs + (size_t)slot * job->buf_len : NULL;
			if (scribbler) {
				/* the slot and the buffer may still be being overwritten */
				scribbler_claim(scribbler, pos, slot);
				if (buf && job->arg_scribble != SCRIBBLE_OFF)
					fill_buf(job, buf);
			}
			prep_cmd(sqe, job, fd, slot, buf);
			/* the slot in the low half; above it a number no other command of this process
			 * has, so that each life's user_data is its own (the kernel recycles io_kiocbs,
			 * and --events keys a life by both) */
			sqe->user_data |= __atomic_add_fetch(&commands_numbered, 1, __ATOMIC_RELAXED) << 32;
			if (job->fuzz)
				fuzz_cmd(sqe, job, &w->rng);
			expect[slot] = expected_res(job, sqe, buf);
			sent_at[slot] = now_ns();
			started++;
			queued++;
			more = w->quota ? started < w->quota : true;
		}
		if (nfree == qd)
			break;	/* nothing in flight and nothing more to send */
		if (scribbler && queued) {
			/* submit alone, so that the consumed SQEs are reused before the wait */
			ret = io_uring_submit(ring);
			if (ret < 0 && ret != -EINTR) {
				snprintf(w->msg, sizeof(w->msg), "io_uring_submit: %s", strerror(-ret));
				break;
			}
			scribbler_submitted(scribbler);
		}
		if (job->wait_timeout_ns) {
			struct __kernel_timespec ts = {
				.tv_sec = job->wait_timeout_ns / 1000000000ull,
				.tv_nsec = job->wait_timeout_ns % 1000000000ull,
			};
			struct io_uring_cqe *first;

			ret = io_uring_submit_and_wait_timeout(ring, &first, 1, &ts, NULL);
			/*
			 * An IOPOLL ring does not sleep in the kernel: io_iopoll_check() returns at
			 * once while nothing is on its poll list yet (a command still on its way
			 * through io-wq, IOSQE_ASYNC), and liburing then says -ETIME. Only the clock
			 * tells a command overdue.
			 */
			if (ret == -ETIME && job->iopoll && now_ns() - progress < job->wait_timeout_ns) {
				w->res.submitted += queued;
				continue;
			}
			if (ret == -ETIME) {
				w->res.submitted += queued;
				w->res.abandoned = qd - nfree;
				snprintf(w->msg, sizeof(w->msg), "%u commands got no CQE within %.1f s",
					 qd - nfree, job->wait_timeout_ns / 1e9);
				ret = -ETIME;
				break;
			}
		} else {
			ret = io_uring_submit_and_wait(ring, 1);
		}
		if (ret < 0 && ret != -EINTR) {
			snprintf(w->msg, sizeof(w->msg), "io_uring_submit: %s", strerror(-ret));
			break;
		}
		ret = 0;
		w->res.submitted += queued;
		now = now_ns();
		io_uring_for_each_cqe(ring, head, cqe) {
			unsigned int slot = (unsigned int)cqe->user_data;

			if (slot < qd) {
				account(job, &w->res, cqe, now - sent_at[slot], expect[slot]);
				freelist[nfree++] = slot;
			}
			n++;
		}
		io_uring_cq_advance(ring, n);
		if (n)
			progress = now;
		if (job->progress)
			__atomic_store_n(job->progress, w->res.cqes, __ATOMIC_RELAXED);
	}
	w->res.elapsed_ns = now_ns() - start;
	free(freelist);
	free(sent_at);
	free(expect);
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct submit_job *job = w->job;
	unsigned int qd = job->qd ? job->qd : 1;
	struct io_uring_params p = { .flags = setup_flags(job) };
	struct io_uring ring;
	struct scribbler *scribbler = NULL;
	char *bufs = NULL;
	int fd, ret;

	fd = open_target(job->device);
	if (fd < 0) {
		w->err = -errno;
		snprintf(w->msg, sizeof(w->msg), "cannot open %s: %s%s", job->device,
			 strerror(errno), errno == ENOENT ? " (is its driver loaded?)" : "");
		return NULL;
	}
	ret = io_uring_queue_init_params(job->entries ? job->entries : 64, &ring, &p);
	if (ret) {
		w->err = ret;
		snprintf(w->msg, sizeof(w->msg), "io_uring_queue_init: %s%s", strerror(-ret),
			 ret == -EINVAL ? " (does this kernel have every ring flag asked for?)" : "");
		close(fd);
		return NULL;
	}
	if (qd > ring.sq.ring_entries)
		qd = ring.sq.ring_entries;
	if (job->buf_len) {
		bufs = aligned_alloc(4096, ((job->buf_len * qd) + 4095) & ~(size_t)4095);
		if (!bufs) {
			w->err = -ENOMEM;
			snprintf(w->msg, sizeof(w->msg), "out of memory for buffers");
			goto out;
		}
		for (unsigned int i = 0; i < qd; i++)
			fill_buf(job, bufs + (size_t)i * job->buf_len);
	}
	if (bufs && job->fixed_buffers) {
		struct iovec *iov = calloc(qd, sizeof(*iov));

		for (unsigned int i = 0; iov && i < qd; i++)
			iov[i] = (struct iovec){ bufs + (size_t)i * job->buf_len, job->buf_len };
		ret = iov ? io_uring_register_buffers(&ring, iov, qd) : -ENOMEM;
		free(iov);
		if (ret) {
			w->err = ret;
			snprintf(w->msg, sizeof(w->msg), "registering buffers: %s", strerror(-ret));
			goto out;
		}
	}
	if (job->sqe_scribble != SCRIBBLE_OFF || job->arg_scribble != SCRIBBLE_OFF) {
		scribbler = scribbler_start(&ring, job->sqe_scribble, job->arg_scribble, bufs,
					    job->buf_len, bufs ? qd : 0, w->msg, sizeof(w->msg));
		if (!scribbler) {
			w->err = -EINVAL;
			goto out;
		}
	}
	w->err = run_ring(w, &ring, fd, qd, bufs, scribbler);
out:
	scribbler_stop(scribbler);
	io_uring_queue_exit(&ring);
	free(bufs);
	close(fd);
	return NULL;
}

void submit_result_merge(struct submit_result *to, const struct submit_result *from)
{
	if (from->cqes) {
		if (!to->cqes || from->res_min < to->res_min)
			to->res_min = from->res_min;
		if (!to->cqes || from->res_max > to->res_max)
			to->res_max = from->res_max;
	}
	if (from->big_cqes) {
		if (!to->big_cqes || from->res2_min < to->res2_min)
			to->res2_min = from->res2_min;
		if (!to->big_cqes || from->res2_max > to->res2_max)
			to->res2_max = from->res2_max;
	}
	if (!to->res_mismatch && from->res_mismatch)
		to->first_bad_res = from->first_bad_res;
	to->submitted += from->submitted;
	to->cqes += from->cqes;
	to->big_cqes += from->big_cqes;
	to->cqe_errors += from->cqe_errors;
	to->res_checked += from->res_checked;
	to->res_mismatch += from->res_mismatch;
	to->abandoned += from->abandoned;
	if (from->elapsed_ns > to->elapsed_ns)
		to->elapsed_ns = from->elapsed_ns;
	for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++)
		to->lat[b] += from->lat[b];
}

int submit_run(const struct submit_job *job, struct submit_result *out, char *err, size_t errlen)
{
	unsigned int nthreads = job->threads ? job->threads : 1;
	struct worker *w = calloc(nthreads, sizeof(*w));
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		w[i].job = job;
		w[i].rng = (job->fuzz_seed ^ 0x9e3779b97f4a7c15ull) + i * 0xbf58476d1ce4e5b9ull;
		if (!w[i].rng)
			w[i].rng = 1;
		/* the count is split; the first threads take the remainder */
		w[i].quota = job->count / nthreads + (i < job->count % nthreads);
		if (job->count && !w[i].quota)
			continue;
		if (nthreads == 1) {
			worker_main(&w[i]);
		} else if (pthread_create(&w[i].thread, NULL, worker_main, &w[i])) {
			w[i].err = -EAGAIN;
			snprintf(w[i].msg, sizeof(w[i].msg), "cannot start a thread");
			w[i].thread = 0;
		}
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		if (nthreads > 1 && w[i].thread)
			pthread_join(w[i].thread, NULL);
		submit_result_merge(out, &w[i].res);
		if (w[i].err && !ret) {
			ret = w[i].err;
			snprintf(err, errlen, "%s", w[i].msg);
		}
	}
	free(w);
	return ret;
}

int64_t submit_ref_once(uint32_t cmd_op, uint64_t arg, uint32_t len, char *err, size_t errlen)
{
	struct ioucmd_ref_cmd c = { .arg = arg, .len = len };
	struct submit_job job = {
		.device = IOUCMD_REF_DEVPATH, .cmd_op = cmd_op, .count = 1, .qd = 1, .batch = 1,
		.entries = 8, .data_len = sizeof(c),
	};
	struct submit_result r;

	memcpy(job.data, &c, sizeof(c));
	if (submit_run(&job, &r, err, errlen))
		return -EIO;
	if (r.cqes != 1) {
		snprintf(err, errlen, "no CQE for the reference driver's command 0x%x", cmd_op);
		return -EIO;
	}
	if (r.res_min < 0)
		snprintf(err, errlen, "the reference driver's command 0x%x failed: %lld", cmd_op,
			 (long long)r.res_min);
	return r.res_min;
}
