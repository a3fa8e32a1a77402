// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One job of a scenario: a thread submits its commands while this one drains the tracer. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "nvme.h"
#include "ref_expect.h"
#include "run_internal.h"

static void *job_main(void *arg)
{
	struct job_thread *jt = arg;

	jt->ret = submit_run(&jt->job, &jt->res, jt->err, sizeof(jt->err));
	__atomic_store_n(&jt->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void make_job(const struct scenario_job *sj, struct submit_job *job, uint64_t stall_ns)
{
	memset(job, 0, sizeof(*job));
	job->device = sj->device;
	job->cmd_op = sj->cmd.cmd_op;
	job->data_len = scenario_cmd_payload(&sj->cmd, job->data, sizeof(job->data));
	job->entries = sj->ring.entries;
	job->sqe128 = sj->ring.sqe128;
	job->cqe32 = sj->ring.cqe32;
	job->sqpoll = sj->ring.sqpoll;
	job->iopoll = sj->ring.iopoll;
	job->hybrid_iopoll = sj->ring.hybrid_iopoll;
	job->sqe_async = sj->ring.sqe_async;
	job->single_issuer = sj->ring.single_issuer;
	job->defer_taskrun = sj->ring.defer_taskrun;
	job->fixed_buffers = sj->ring.fixed_buffers;
	job->qd = sj->load.qd;
	job->batch = sj->load.batch;
	job->threads = sj->load.threads;
	job->count = sj->load.count;
	job->duration_ns = sj->load.duration_ns;
	job->wait_timeout_ns = stall_ns + 2000000000ull;
	job->fuzz = sj->load.fuzz;
	job->fuzz_seed = sj->load.fuzz_seed;
	/* a reference command with a length and no address gets a buffer of that length */
	if (sj->cmd.kind == SCENARIO_CMD_REF && sj->cmd.len && !sj->cmd.arg) {
		job->buf_len = sj->cmd.len;
		job->buf_addr_off = 0;	/* struct ioucmd_ref_cmd.arg */
		memcpy(job->buf_init, sj->cmd.arg_data, sj->cmd.arg_data_len);
		job->buf_init_len = sj->cmd.arg_data_len;
	}
	job->sqe_scribble = sj->load.sqe_scribble;
	job->arg_scribble = sj->load.arg_scribble;
	if (sj->cmd.kind == SCENARIO_CMD_REF)
		job->expect_fn = ref_expected_res;
}

/* polls and sweeps the tracer until ns have passed */
static void drain_for(struct run_state *rs, uint64_t ns)
{
	uint64_t until = now_ns() + ns;

	while (now_ns() < until) {
		tracer_poll(rs->t, 50);
		tracer_sweep(rs->t, false);
	}
}

int run_job(struct run_state *rs, const struct scenario_job *sj, struct job_thread *jt,
	    uint64_t stall_ns)
{
	pthread_t th;
	int ret;

	make_job(sj, &jt->job, stall_ns);
	if (sj->cmd.kind == SCENARIO_CMD_NVME) {
		ret = nvme_prepare(sj->device, &sj->cmd, &jt->job, jt->err, sizeof(jt->err));
		if (ret)
			return ret;
	}
	if (pthread_create(&th, NULL, job_main, jt)) {
		snprintf(jt->err, sizeof(jt->err), "cannot start the submitting thread");
		return -EAGAIN;
	}
	while (!__atomic_load_n(&jt->finished, __ATOMIC_ACQUIRE)) {
		tracer_poll(rs->t, 50);
		tracer_sweep(rs->t, false);
	}
	/*
	 * A thread whose command is never completed cannot exit (io_uring waits for it in
	 * do_exit): keep judging for a stall timeout, then leave it behind rather than hang.
	 */
	for (uint64_t waited = 0;; waited += 50 * 1000000ull) {
		struct timespec deadline;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 50 * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		if (!pthread_timedjoin_np(th, NULL, &deadline))
			break;
		tracer_poll(rs->t, 0);
		tracer_sweep(rs->t, false);
		if (waited > stall_ns + 2000000000ull) {
			pthread_detach(th);
			run_note(rs, "%s: the submitting thread cannot exit; io_uring waits in do_exit "
				 "for a command that was never completed", sj->name);
			break;
		}
	}
	/*
	 * Abandoned commands met their cancel call when the ring closed: give the driver a stall
	 * timeout to answer it, so that cancel_not_completed is judged within this job.
	 */
	if (jt->res.abandoned)
		drain_for(rs, stall_ns + 200000000ull);
	tracer_poll(rs->t, 0);
	return jt->ret;
}
