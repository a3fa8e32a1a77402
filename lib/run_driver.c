// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The reference driver's own counters (struct ioucmd_ref_stats, read with its STATS command),
 * summed over its commands into the driver.* fields, to cross-check the tracer. The runner's own
 * STATS reads go through the traced handler too: they are taken out of the counts here.
 */
#include <ioucmd/ioucmd_ref.h>
#include "report.h"
#include "run_internal.h"
#include "util.h"

static const char *const driver_keys[] = {
	"driver.issued", "driver.queued", "driver.completed", "driver.sync_returns",
	"driver.eagain", "driver.cancelled", "driver.rejected",
};

bool run_driver_stats(struct json_object *into)
{
	struct ioucmd_ref_stats st;
	uint64_t sum[6] = { 0 };
	char err[256];

	if (submit_ref_once(IOUCMD_REF_STATS, (uintptr_t)&st, sizeof(st), err, sizeof(err)) != 0)
		return false;
	/* STATS included: a scenario may send it too; run_drop_stats_reads() takes ours out */
	for (int i = 0; i < IOUCMD_REF_NR_SPACE; i++) {
		sum[0] += st.issued[i];
		sum[1] += st.queued[i];
		sum[2] += st.completed[i];
		sum[3] += st.sync_returns[i];
		sum[4] += st.eagain[i];
		sum[5] += st.cancelled[i];
	}
	for (int i = 0; i < 6; i++)
		json_object_object_add(into, driver_keys[i], json_object_new_uint64(sum[i]));
	json_object_object_add(into, driver_keys[6], json_object_new_uint64(st.rejected));
	return true;
}

/* the runner's STATS reads, each one synchronous command, out of the tracer's counts */
void run_drop_stats_reads(struct json_object *f, double reads)
{
	static const char *const keys[] = { "issued", "sync_returns", "completed", "bpf_cqes" };

	run_drop(f, keys, ARRAY_SIZE(keys), reads);
}

/* a job's driver.* difference holds the read that took `after` (the driver counts it first) */
void run_drop_driver_stats_read(struct json_object *f)
{
	static const char *const keys[] = { "driver.issued", "driver.sync_returns" };

	run_drop(f, keys, ARRAY_SIZE(keys), 1);
}

/* a STATS read failed: no difference can be taken, so the job has no driver.* fields */
void run_drop_driver_fields(struct json_object *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(driver_keys); i++)
		json_object_object_del(f, driver_keys[i]);
}

/* driver.* over the whole scenario: the sum of the jobs' differences, if every job has one */
void run_sum_driver_fields(struct json_object *fields, struct json_object *jobs)
{
	for (size_t i = 0; i < ARRAY_SIZE(driver_keys); i++) {
		double sum = 0, v;
		size_t j;

		for (j = 0; j < json_object_array_length(jobs); j++) {
			if (!report_lookup(json_object_array_get_idx(jobs, j), driver_keys[i], &v))
				break;
			sum += v;
		}
		if (j == json_object_array_length(jobs))
			run_put(fields, driver_keys[i], sum);
	}
}
