// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <liburing.h>
#include "submit.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void prep_cmd(struct io_uring_sqe *sqe, const struct submit_job *job, int fd, uint64_t seq)
{
	size_t area = job->sqe128 ? 80 : 16;

	memset(sqe, 0, job->sqe128 ? 128 : 64);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = job->cmd_op;
	sqe->user_data = seq;
	sqe->addr = job->sqe_addr;
	sqe->addr3 = job->sqe_addr3;
	if (job->data_len)
		memcpy(sqe->cmd, job->data, job->data_len < area ? job->data_len : area);
}

/* the target: a device path, or a socket made here for socket uring_cmds */
static int open_target(const char *device)
{
	if (!strcmp(device, "socket:udp"))
		return socket(AF_INET, SOCK_DGRAM, 0);
	if (!strcmp(device, "socket:tcp"))
		return socket(AF_INET, SOCK_STREAM, 0);
	return open(device, O_RDWR);
}

static void account(const struct submit_job *job, struct submit_result *out, struct io_uring_cqe *cqe)
{
	out->cqes++;
	if (cqe->res < 0)
		out->cqe_errors++;
	if (job->check_res && cqe->res != job->expect_res) {
		if (!out->res_mismatch)
			out->first_bad_res = cqe->res;
		out->res_mismatch++;
	}
}

int submit_run(const struct submit_job *job, struct submit_result *out, char *err, size_t errlen)
{
	unsigned int flags = (job->sqe128 ? IORING_SETUP_SQE128 : 0) |
			     (job->cqe32 ? IORING_SETUP_CQE32 : 0);
	unsigned int qd = job->qd ? job->qd : 1, batch = job->batch ? job->batch : 1;
	uint64_t start, deadline, inflight = 0, seq = 0;
	struct io_uring ring;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open_target(job->device);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s%s", job->device, strerror(errno),
			 errno == ENOENT ? " (is its driver loaded?)" : "");
		return ret;
	}
	ret = io_uring_queue_init(job->entries ? job->entries : 64, &ring, flags);
	if (ret) {
		snprintf(err, errlen, "io_uring_queue_init: %s", strerror(-ret));
		close(fd);
		return ret;
	}
	if (qd > ring.sq.ring_entries)
		qd = ring.sq.ring_entries;
	start = now_ns();
	deadline = job->duration_ns ? start + job->duration_ns : UINT64_MAX;
	for (;;) {
		bool more = job->count ? seq < job->count : now_ns() < deadline;
		unsigned int queued = 0;
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		while (more && inflight < qd && queued < batch) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe)
				break;
			prep_cmd(sqe, job, fd, seq++);
			inflight++;
			queued++;
			more = job->count ? seq < job->count : true;
		}
		if (!inflight)
			break;
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 && ret != -EINTR) {
			snprintf(err, errlen, "io_uring_submit: %s", strerror(-ret));
			break;
		}
		out->submitted += queued;
		io_uring_for_each_cqe(&ring, head, cqe) {
			account(job, out, cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		inflight -= n;
		ret = 0;
	}
	out->elapsed_ns = now_ns() - start;
	io_uring_queue_exit(&ring);
	close(fd);
	return ret < 0 ? ret : 0;
}
