// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, one configuration of one row: attach what the configuration attaches, run the
 * row's workload for the rounds asked, detach. It runs in a child process under the watchdog
 * (watchdog.c) and writes what it measured into shared memory (struct sample).
 *
 * The round numbered b->rounds is the statistics round: kernel.bpf_stats_enabled on (the
 * statistics add two clock reads per program run, more for whoever runs more programs, so the
 * timed rounds run without them), for each program's run count, time and size.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "floor.skel.h"
#include "nvme.h"
#include "submit.h"
#include "tracer.h"

struct floor_bpf *floor_open(const struct row *r, bool fentry, bool clock, char *err,
			     size_t errlen)
{
	/* 6.18+ completes through __io_uring_cmd_done (io_uring_cmd_done became an inline) */
	static const char *const done_funcs[] = { "io_uring_cmd_done", "__io_uring_cmd_done" };

	for (size_t i = 0; i < sizeof(done_funcs) / sizeof(done_funcs[0]); i++) {
		struct floor_bpf *s = floor_bpf__open();

		if (!s) {
			snprintf(err, errlen, "cannot open the floor object");
			return NULL;
		}
		if (fentry) {
			/* queued rows: the second clock read is at done(), the handler's exit stays empty */
			struct bpf_program *entry = clock ? s->progs.clock_entry : s->progs.floor_entry;
			struct bpf_program *exit = clock && !r->async ? s->progs.clock_exit
								    : s->progs.floor_exit;
			struct bpf_program *done = clock ? s->progs.clock_done : s->progs.floor_done;

			bpf_program__set_autoload(entry, true);
			bpf_program__set_autoload(exit, true);
			bpf_program__set_attach_target(entry, 0, r->handler);
			bpf_program__set_attach_target(exit, 0, r->handler);
			if (r->async) {
				bpf_program__set_autoload(done, true);
				bpf_program__set_attach_target(done, 0, done_funcs[i]);
			}
		} else {
			bpf_program__set_autoload(clock ? s->progs.clock_submit : s->progs.floor_submit,
						  true);
			bpf_program__set_autoload(clock ? s->progs.clock_complete
							: s->progs.floor_complete, true);
		}
		if (!floor_bpf__load(s) && !floor_bpf__attach(s))
			return s;
		snprintf(err, errlen, "loading the floor programs failed: %s", strerror(errno));
		floor_bpf__destroy(s);
		if (!fentry || !r->async)
			break;	/* only done()'s name can differ */
	}
	return NULL;
}

/* CPU time of this process, every thread, user and kernel */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void drain(void *arg, const struct ioucmd_event *e)
{
	(void)arg;
	(void)e;
}

/* --events: user space reads the stream while the workload runs, as `ioucmd trace` does */
struct poller {
	struct tracer *t;
	volatile int stop;
	pthread_t thread;
};

static void *poll_main(void *arg)
{
	struct poller *p = arg;

	while (!p->stop)
		tracer_poll(p->t, 10);
	return NULL;
}

static void job_of_row(const struct bench *b, const struct row *r, struct submit_job *job)
{
	struct ioucmd_ref_cmd data = { .arg = 1 };

	*job = (struct submit_job){
		.device = r->device, .cmd_op = r->cmd_op, .qd = r->qd, .batch = r->batch,
		.threads = r->threads, .count = b->count, .entries = r->qd > 64 ? r->qd : 64,
	};
	memcpy(job->data, &data, sizeof(data));
	job->data_len = sizeof(data);
}

/* the tracer's account of the commands, summed over the handlers it saw */
static void tracer_account(const struct bench *b, struct tracer *t, struct sample *s)
{
	for (int slot = 0; slot < tracer_nr_handlers(t); slot++) {
		struct ioucmd_counters k;

		if (tracer_counters(t, slot, &k))
			continue;
		for (int i = 0; i < IOUCMD_RULE__COUNT; i++)
			s->violations += k.violations[i];
		s->untracked += k.untracked + k.inflight_full;
		s->lost += k.lost_events;
		s->completed += b->fentry ? k.sync_returns + k.done : k.cqes;
	}
}

/* IOUCMD_BENCH_STALL=CONFIG: that configuration stops before its workload (the watchdog's test) */
static void stall_if_asked(enum config c, struct watch *w)
{
	const char *stall = getenv("IOUCMD_BENCH_STALL");

	if (!stall || strcmp(stall, config_names[c]))
		return;
	watch_beat(w, "stalling on purpose (IOUCMD_BENCH_STALL)");
	for (;;)
		pause();
}

int measure(const struct bench *b, const struct row *r, enum config c, unsigned int first,
	    unsigned int n, struct sample *s, struct watch *w, char *err, size_t errlen)
{
	struct tracer_opts to = { .stall_timeout_ns = 60000000000ull,
				  .backend = b->fentry ? TRACER_FENTRY : TRACER_TRACEPOINT };
	const struct bpf_object *obj = NULL;
	struct floor_bpf *fl = NULL;
	struct tracer *t = NULL;
	struct poller pl = { 0 };
	struct bpftrace_run bt;
	struct submit_job job;
	int ret = 0;

	job_of_row(b, r, &job);
	job.progress = &w->cqes;
	if (r->nvme) {
		struct scenario_cmd read = { .kind = SCENARIO_CMD_NVME, .nvme = SCENARIO_NVME_READ,
					     .bs = 4096 };

		job.sqe128 = job.cqe32 = true;	/* nvme_uring_cmd_checks() wants both */
		if (nvme_prepare(r->device, &read, &job, err, errlen))
			return -1;
	}
	switch (c) {
	case CF_FLOOR:
	case CF_FLOOR_CLOCK:
		watch_beat(w, "loading the floor programs");
		fl = floor_open(r, b->fentry, c == CF_FLOOR_CLOCK, err, errlen);
		if (!fl)
			return -1;
		obj = fl->obj;
		break;
	case CF_IOUCMD:
	case CF_IOUCMD_ALL:
	case CF_IOUCMD_EVENTS:
		if (c != CF_IOUCMD_ALL) {
			to.handlers[0] = r->handler;
			to.nr_handlers = 1;
		}
		to.events = c == CF_IOUCMD_EVENTS;
		to.on_life = drain;
		watch_beat(w, "loading and attaching the tracer");
		t = tracer_open(&to, err, errlen);
		if (!t)
			return -1;
		obj = tracer_object(t);
		s->map_bytes = maps_memlock(obj);
		if (to.events) {
			pl.t = t;
			pthread_create(&pl.thread, NULL, poll_main, &pl);
		}
		break;
	case CF_BPFTRACE:
		if (bpftrace_start(&bt, b->fentry, r->handler,
				   strcmp(r->handler, IOUCMD_REF_HANDLER) ? NULL : "ioucmd_ref", r->async,
				   w, err, errlen))
			return -1;
		break;
	default:
		break;
	}
	stall_if_asked(c, w);
	for (unsigned int k = first; k < first + n && !ret; k++) {
		bool stats = k == b->rounds;
		struct submit_result res;
		uint64_t before = 0, cpu;
		char phase[64];

		snprintf(phase, sizeof(phase), "round %u: the workload", k);
		watch_beat(w, phase);
		bpf_stats(stats && obj);
		if (obj)
			before = progs_run_ns(obj);
		memset(&res, 0, sizeof(res));
		cpu = cpu_ns();
		if (r->fio) {
			ret = fio_run(r->device, r->qd, b->count, &res.elapsed_ns, err, errlen);
			res.cqes = res.submitted = ret ? 0 : b->count;
		} else {
			ret = submit_run(&job, &res, err, errlen);
		}
		if (b->clock == CLOCK_CPU && !r->fio)	/* fio's time is its own process's */
			res.elapsed_ns = cpu_ns() - cpu;
		bpf_stats(false);
		s->ns[k] = res.cqes ? (double)res.elapsed_ns / res.cqes : 0;
		s->cqes += res.cqes;
		if (stats && obj && res.cqes) {
			s->prog_ns = (double)(progs_run_ns(obj) - before) / res.cqes;
			s->nr_progs = progs_cost(obj, res.cqes, s->progs, BENCH_PROGS_MAX);
		}
	}
	watch_beat(w, "detaching");
	if (c == CF_BPFTRACE) {
		char why[320];

		if (bpftrace_stop(&bt, w, why, sizeof(why)) && !ret) {
			snprintf(err, errlen, "%s", why);
			ret = -1;
		}
		s->bpftrace_resends += bt.resends;
	}
	floor_bpf__destroy(fl);
	if (t) {
		if (to.events) {
			pl.stop = 1;
			pthread_join(pl.thread, NULL);
		}
		tracer_poll(t, 0);
		tracer_account(b, t, s);
		tracer_close(t);
	}
	return ret ? -1 : 0;
}
