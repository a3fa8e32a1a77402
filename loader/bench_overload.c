// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd bench, overload: twice as many commands in flight as the in-flight map holds
 * (IOUCMD_INFLIGHT_MAX). The commands that find the map full must be counted as untracked,
 * and none of them may turn into a violation; no event may be lost in the default mode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "submit.h"
#include "tracer.h"

struct json_object *bench_overload(char *err, size_t errlen)
{
	/*
	 * A 300 ms timer each: submitting takes about 10 us a command under TCG, so well over the
	 * map's capacity is in flight at once. Bounded: commands without a CQE after 30 s are
	 * counted as abandoned (a run with 1 s timers did not finish: still to be understood).
	 */
	struct ioucmd_ref_cmd data = { .arg = 300000000 };
	unsigned int depth = 2 * IOUCMD_INFLIGHT_MAX;
	struct submit_job job = {
		.device = IOUCMD_REF_DEVPATH, .cmd_op = IOUCMD_REF_DELAY, .count = 2ull * depth,
		.qd = depth, .batch = 256, .entries = depth, .data_len = sizeof(data),
		.wait_timeout_ns = 30000000000ull,
	};
	struct ioucmd_counters k;
	struct submit_result res;
	struct json_object *o;
	struct tracer *t;
	uint64_t v = 0, untracked;
	bool ok;

	memcpy(job.data, &data, sizeof(data));
	t = bench_traced_run(&job, &res, err, errlen);
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
	printf("\noverload: %u DELAY commands in flight, %llu in all (%llu CQEs, %llu abandoned), "
	       "map of %u: queued %llu, untracked %llu (map full %llu), violations %llu, "
	       "lost events %llu: %s\n",
	       depth, (unsigned long long)job.count, (unsigned long long)res.cqes,
	       (unsigned long long)res.abandoned, IOUCMD_INFLIGHT_MAX,
	       (unsigned long long)k.queued, (unsigned long long)untracked,
	       (unsigned long long)k.inflight_full, (unsigned long long)v,
	       (unsigned long long)k.lost_events,
	       ok ? "untracked counted, no false violation" : "MISSED");
	o = json_object_new_object();
	json_object_object_add(o, "in_flight", json_object_new_uint64(depth));
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
