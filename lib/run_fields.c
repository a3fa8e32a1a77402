// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The flat fields `expect` lines name (expect.c's table), as a run fills them in. */
#include <string.h>
#include "hist.h"
#include "report.h"
#include "run_internal.h"

double run_field(struct json_object *o, const char *k)
{
	double v = 0;

	report_lookup(o, k, &v);
	return v;
}

void run_put(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

void run_add_delta(struct json_object *to, struct json_object *before, struct json_object *after)
{
	json_object_object_foreach(after, key, val) {
		(void)val;
		if (!strncmp(key, "latency.", 8))
			continue;	/* percentiles do not subtract; see run_add_job_latency() */
		run_put(to, key, run_field(after, key) - run_field(before, key));
	}
}

void run_add_submit_fields(struct json_object *o, const struct submit_result *r)
{
	run_put(o, "submitted", (double)r->submitted);
	run_put(o, "cqes", (double)r->cqes);
	run_put(o, "cqe_errors", (double)r->cqe_errors);
	run_put(o, "abandoned", (double)r->abandoned);
	/* only where the runner knew what a correct driver answers (ref_expected_res) */
	if (r->res_checked) {
		run_put(o, "res_checked", (double)r->res_checked);
		run_put(o, "res_mismatches", (double)r->res_mismatch);
	}
	if (r->cqes) {
		run_put(o, "res.min", (double)r->res_min);
		run_put(o, "res.max", (double)r->res_max);
	}
	if (r->big_cqes) {
		run_put(o, "res2.min", (double)r->res2_min);
		run_put(o, "res2.max", (double)r->res2_max);
	}
}

void run_add_job_latency(struct json_object *o, uint64_t *before, const uint64_t *after)
{
	for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++)
		before[b] = after[b] - before[b];
	report_put_latency(o, before);
}

void run_add_user_latency(struct json_object *o, const uint64_t *lat)
{
	struct hist_summary s;

	hist_summarize(lat, &s);
	run_put(o, "user_latency.count", (double)s.count);
	run_put(o, "user_latency.p50", s.p50);
	run_put(o, "user_latency.p99", s.p99);
}

void run_drop(struct json_object *f, const char *const *keys, size_t n, double amount)
{
	double v;

	for (size_t i = 0; i < n; i++)
		if (report_lookup(f, keys[i], &v))
			run_put(f, keys[i], v - amount);
}
