// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, overload: twice as many commands in flight as the in-flight map holds
 * (IOUCMD_INFLIGHT_MAX). The commands that find the map full must be counted as untracked,
 * and none of them may turn into a violation; no event may be lost in the default mode.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "submit.h"
#include "tracer.h"

/* KICK once the whole depth is parked (driver STATS), so the submitter refills a full depth */
struct kicker {
	volatile int stop;
	struct watch *w;	/* commands parking is progress */
	unsigned int depth;
	uint64_t peak;		/* the most commands parked at once */
};

static uint64_t parked_now(void)
{
	struct ioucmd_ref_stats st;
	char err[256];

	if (submit_ref_once(IOUCMD_REF_STATS, (uintptr_t)&st, sizeof(st), err, sizeof(err)) != 0)
		return 0;
	return st.issued[IOUCMD_REF_NR_CANCELABLE] - st.completed[IOUCMD_REF_NR_CANCELABLE];
}

static void *kick_main(void *arg)
{
	struct kicker *k = arg;
	char err[256];

	uint64_t last = 0;
	int still = 0;

	while (!k->stop) {
		struct timespec ts = { 0, 100000000 };
		uint64_t parked;

		nanosleep(&ts, NULL);
		parked = parked_now();
		/* the whole depth, or as many as the submitter gets in flight (no growth for 1 s) */
		still = parked && parked == last ? still + 1 : 0;
		if (parked != last)
			watch_beat(k->w, NULL);
		last = parked;
		if (parked >= k->depth || still >= 10) {
			k->peak = parked > k->peak ? parked : k->peak;
			submit_ref_once(IOUCMD_REF_CMD(IOUCMD_REF_NR_KICK), 0, 0, err, sizeof(err));
			still = 0;
		}
	}
	return NULL;
}

struct json_object *bench_overload(struct watch *w, char *err, size_t errlen)
{
	/*
	 * CANCELABLE commands park until KICK (or ring exit): the whole depth is in flight at
	 * once whatever the submission speed (timers were not: under TCG 16 384 submissions take
	 * longer than a 300 ms timer, and 1 s timers made the run crawl).
	 */
	struct ioucmd_ref_cmd data = { 0 };
	unsigned int depth = 2 * IOUCMD_INFLIGHT_MAX;
	struct submit_job job = {
		.device = IOUCMD_REF_DEVPATH, .cmd_op = IOUCMD_REF_CMD(IOUCMD_REF_NR_CANCELABLE),
		/* one batch of the whole depth: submit_run waits for a CQE after each batch */
		.count = 2ull * depth, .qd = depth, .batch = depth, .entries = depth,
		.data_len = sizeof(data), .wait_timeout_ns = 60000000000ull,
	};
	struct kicker kk = { .depth = depth, .w = w };
	pthread_t kth;
	struct ioucmd_counters k;
	struct submit_result res;
	struct json_object *o;
	struct tracer *t;
	uint64_t v = 0, untracked;
	bool ok;

	memcpy(job.data, &data, sizeof(data));
	job.progress = &w->cqes;
	watch_beat(w, "overload: parking commands");
	pthread_create(&kth, NULL, kick_main, &kk);
	t = bench_traced_run(&job, &res, err, errlen);
	kk.stop = 1;
	pthread_join(kth, NULL);
	if (!t)
		return NULL;
	tracer_sweep(t, true);
	tracer_poll(t, 0);
	if (tracer_counters(t, 0, &k)) {
		snprintf(err, errlen, "cannot read the tracer's counters");
		tracer_close(t);
		return NULL;
	}
	tracer_close(t);
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		v += k.violations[r];
	untracked = k.untracked + k.inflight_full;
	ok = !v && !k.lost_events && untracked > 0 && res.cqes == job.count &&
	     k.done == k.queued && !res.abandoned;
	printf("\noverload: %u parked commands asked in flight (%llu at most seen), %llu in all (%llu CQEs, %llu abandoned), "
	       "map of %u: queued %llu, untracked %llu (map full %llu), violations %llu, "
	       "lost events %llu: %s\n",
	       depth, (unsigned long long)kk.peak, (unsigned long long)job.count,
	       (unsigned long long)res.cqes,
	       (unsigned long long)res.abandoned, IOUCMD_INFLIGHT_MAX,
	       (unsigned long long)k.queued, (unsigned long long)untracked,
	       (unsigned long long)k.inflight_full, (unsigned long long)v,
	       (unsigned long long)k.lost_events,
	       ok ? "untracked counted, no false violation" : "MISSED");
	o = json_object_new_object();
	json_object_object_add(o, "in_flight", json_object_new_uint64(depth));
	json_object_object_add(o, "peak_parked", json_object_new_uint64(kk.peak));
	json_object_object_add(o, "map_capacity", json_object_new_uint64(IOUCMD_INFLIGHT_MAX));
	json_object_object_add(o, "commands", json_object_new_uint64(job.count));
	json_object_object_add(o, "cqes", json_object_new_uint64(res.cqes));
	json_object_object_add(o, "abandoned", json_object_new_uint64(res.abandoned));
	json_object_object_add(o, "queued", json_object_new_uint64(k.queued));
	json_object_object_add(o, "done", json_object_new_uint64(k.done));
	json_object_object_add(o, "untracked", json_object_new_uint64(untracked));
	json_object_object_add(o, "map_full", json_object_new_uint64(k.inflight_full));
	json_object_object_add(o, "violations", json_object_new_uint64(v));
	json_object_object_add(o, "lost_events", json_object_new_uint64(k.lost_events));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	return o;
}
