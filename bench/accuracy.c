// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, latency accuracy: the reference driver's DELAY commands (an hrtimer of the
 * requested length, then task work) measured four ways in one run:
 *   requested     the timer length asked for;
 *   ground truth  the driver's own ktime from taking the command to calling done()
 *                 (IOUCMD_REF_NR_LATENCIES: exact values, exact percentiles);
 *   ioucmd        the tracer's issue-to-done() histogram (fentry on the handler and on done());
 *   user space    submit to reap, as the submitter saw it.
 * The tracer passes where its p50 and p99 are within 1 % of the ground truth plus one bucket of
 * its histogram (2^-IOUCMD_HIST_SUB of the value's power of two).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "hist.h"
#include "submit.h"
#include "tracer.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the same rank as hist_percentile(), on exact values */
static double exact_percentile(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t rank = (uint64_t)(q * (double)n);

	if (!n)
		return 0;
	return (double)sorted[rank < n ? rank : n - 1];
}

/* the width of the histogram bucket that holds v */
static double bucket_width(double v)
{
	uint64_t x = v < 1 ? 1 : (uint64_t)v;

	return (double)(1ULL << ioucmd_msb(x)) / (1 << IOUCMD_HIST_SUB);
}

static bool agrees(double measured, double truth)
{
	double d = measured > truth ? measured - truth : truth - measured;

	return d <= 0.01 * truth + bucket_width(truth);
}

/* LATENCIES: the driver's recorded values (and forgets them); returns how many, or -errno */
static long driver_latencies(uint64_t *buf, size_t max, char *err, size_t errlen)
{
	int64_t n = submit_ref_once(IOUCMD_REF_LATENCIES, (uintptr_t)buf,
				    (uint32_t)(max * sizeof(*buf)), err, errlen);

	return n < 0 ? -EIO : (long)n;
}

struct tracer *bench_traced_run(const struct submit_job *job, struct submit_result *res,
				char *err, size_t errlen)
{
	struct tracer_opts to = { .nr_handlers = 1, .handlers = { IOUCMD_REF_HANDLER },
				  .backend = TRACER_FENTRY, .stall_timeout_ns = 60000000000ull };
	struct tracer *t = tracer_open(&to, err, errlen);

	if (!t)
		return NULL;
	if (submit_run(job, res, err, errlen)) {
		tracer_close(t);
		return NULL;
	}
	tracer_poll(t, 0);
	return t;
}

static int one_delay(uint64_t delay_ns, uint64_t count, struct json_object *rows, bool *all_ok,
		     struct watch *w, char *err, size_t errlen)
{
	struct ioucmd_ref_cmd data = { .arg = delay_ns };
	struct submit_job job = {
		.device = IOUCMD_REF_DEVPATH, .cmd_op = IOUCMD_REF_DELAY, .count = count, .qd = 1,
		.batch = 1, .entries = 8, .data_len = sizeof(data),
	};
	uint64_t *truth = calloc(IOUCMD_REF_LAT_MAX, sizeof(*truth));
	uint64_t traced[IOUCMD_HIST_BUCKETS] = { 0 }, one[IOUCMD_HIST_BUCKETS], tcount = 0;
	struct submit_result res;
	struct tracer *t;
	struct json_object *o;
	double gt50, gt99, io50, io99, us50, us99;
	long n;
	bool ok;

	if (!truth) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(job.data, &data, sizeof(data));
	job.progress = &w->cqes;
	watch_beat(w, "latency accuracy: DELAY commands");
	if (driver_latencies(truth, IOUCMD_REF_LAT_MAX, err, errlen) < 0)	/* start empty */
		goto fail;
	t = bench_traced_run(&job, &res, err, errlen);
	if (!t)
		goto fail;
	/* a fresh tracer: every op index of slot 0 is this row's */
	for (int op = 0; op < IOUCMD_MAX_OPS; op++) {
		if (tracer_hist(t, 0, op, IOUCMD_LAT_ISSUE_DONE, one))
			continue;
		for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++) {
			traced[b] += one[b];
			tcount += one[b];
		}
	}
	tracer_close(t);
	n = driver_latencies(truth, IOUCMD_REF_LAT_MAX, err, errlen);
	if (n < 0)
		goto fail;
	qsort(truth, (size_t)n, sizeof(*truth), cmp_u64);
	gt50 = exact_percentile(truth, (uint64_t)n, 0.50);
	gt99 = exact_percentile(truth, (uint64_t)n, 0.99);
	io50 = hist_percentile(traced, tcount, 0.50);
	io99 = hist_percentile(traced, tcount, 0.99);
	us50 = hist_percentile(res.lat, res.cqes, 0.50);
	us99 = hist_percentile(res.lat, res.cqes, 0.99);
	ok = (uint64_t)n == count && tcount == count && agrees(io50, gt50) && agrees(io99, gt99);
	*all_ok = *all_ok && ok;
	printf("%-10.0f %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %8llu %8llu  %s\n",
	       delay_ns / 1e3, gt50 / 1e3, io50 / 1e3, us50 / 1e3, gt99 / 1e3, io99 / 1e3,
	       us99 / 1e3, (unsigned long long)n, (unsigned long long)tcount,
	       ok ? "agrees" : "DISAGREES");
	o = json_object_new_object();
	json_object_object_add(o, "requested_ns", json_object_new_uint64(delay_ns));
	json_object_object_add(o, "commands", json_object_new_uint64(count));
	json_object_object_add(o, "ground_truth_count", json_object_new_int64(n));
	json_object_object_add(o, "ioucmd_count", json_object_new_uint64(tcount));
	json_object_object_add(o, "ground_truth_p50_ns", json_object_new_double(gt50));
	json_object_object_add(o, "ground_truth_p99_ns", json_object_new_double(gt99));
	json_object_object_add(o, "ioucmd_p50_ns", json_object_new_double(io50));
	json_object_object_add(o, "ioucmd_p99_ns", json_object_new_double(io99));
	json_object_object_add(o, "user_p50_ns", json_object_new_double(us50));
	json_object_object_add(o, "user_p99_ns", json_object_new_double(us99));
	json_object_object_add(o, "tolerance_p50_ns",
			       json_object_new_double(0.01 * gt50 + bucket_width(gt50)));
	json_object_object_add(o, "tolerance_p99_ns",
			       json_object_new_double(0.01 * gt99 + bucket_width(gt99)));
	json_object_object_add(o, "agrees", json_object_new_boolean(ok));
	json_object_array_add(rows, o);
	free(truth);
	return 0;
fail:
	free(truth);
	return -EIO;
}

struct json_object *bench_accuracy(bool quick, struct watch *w, char *err, size_t errlen)
{
	static const uint64_t delays[] = { 10000, 100000, 1000000 };
	struct json_object *root = json_object_new_object(), *rows = json_object_new_array();
	bool all_ok = true;

	printf("\nlatency accuracy: DELAY commands at qd 1, issue to done(), microseconds\n");
	printf("%-10s %10s %10s %10s %10s %10s %10s %8s %8s\n", "requested", "truth p50",
	       "ioucmd p50", "user p50", "truth p99", "ioucmd p99", "user p99", "truth n",
	       "ioucmd n");
	for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		/* about the same wall time per row: fewer of the long ones */
		uint64_t count = delays[i] >= 1000000 ? 300 : quick ? 300 : 2000;

		if (one_delay(delays[i], count, rows, &all_ok, w, err, errlen)) {
			json_object_put(rows);
			json_object_put(root);
			return NULL;
		}
	}
	printf("target: p50 and p99 within 1%% of the ground truth plus one histogram bucket "
	       "(1/%d of the octave): %s\n", 1 << IOUCMD_HIST_SUB, all_ok ? "met" : "MISSED");
	json_object_object_add(root, "rows", rows);
	json_object_object_add(root, "all_agree", json_object_new_boolean(all_ok));
	return root;
}
