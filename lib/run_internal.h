/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The run engine's parts (run.h is its interface), one job per file:
 *   run.c         one scenario: set up, the jobs one after another, the verdict and the report
 *   run_env.c     the environment: kernel version gate, module loading, the handlers to trace
 *   run_job.c     one job: its submitter thread, and the tracer drained while it runs
 *   run_fields.c  the flat fields expectations name: differences, submitter and latency fields
 *   run_driver.c  the reference driver's own counters (STATS), and the runner's reads taken out
 *   run_checks.c  the KTAP test points: expectations and the built-in consistency checks
 */
#ifndef IOUCMD_RUN_INTERNAL_H
#define IOUCMD_RUN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "chrome_trace.h"
#include "discover.h"
#include "run.h"
#include "submit.h"

struct run_state {
	const struct scenario *sc;
	const struct run_opts *opts;
	struct tracer *t;
	struct json_object *out, *checks, *violations;
	struct chrome_trace *events;
	struct handler_info handlers[IOUCMD_MAX_HANDLERS];	/* the ones traced */
	int nr_handlers;
	bool failed;
};

/* run.c: a line of news for opts->note */
void run_note(struct run_state *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* run_env.c */
bool run_kernel_at_least(unsigned int major, unsigned int minor, char *rel, size_t len);
int run_load_module(const char *name, const char *params, char *err, size_t errlen);
int run_choose_handlers(struct run_state *rs, char *err, size_t errlen);

/* run_job.c: one job's submitter thread, the tracer drained meanwhile */
struct job_thread {
	struct submit_job job;
	struct submit_result res;
	int ret;
	char err[256];
	volatile int finished;
};
int run_job(struct run_state *rs, const struct scenario_job *sj, struct job_thread *jt,
	    uint64_t stall_ns);

/* run_fields.c */
double run_field(struct json_object *o, const char *k);
void run_put(struct json_object *o, const char *k, double v);
/* counters that accumulate: a job's value is after - before */
void run_add_delta(struct json_object *to, struct json_object *before, struct json_object *after);
void run_add_submit_fields(struct json_object *o, const struct submit_result *r);
/* the tracer's latency for one job: the histogram's growth while it ran (before is consumed) */
void run_add_job_latency(struct json_object *o, uint64_t *before, const uint64_t *after);
/* user space's own view of latency (submit to reap), beside the tracer's */
void run_add_user_latency(struct json_object *o, const uint64_t *lat);
/* subtracts amount from each of keys[] that f has */
void run_drop(struct json_object *f, const char *const *keys, size_t n, double amount);

/* run_driver.c */
bool run_driver_stats(struct json_object *into);
void run_drop_stats_reads(struct json_object *f, double reads);
void run_drop_driver_stats_read(struct json_object *f);
void run_drop_driver_fields(struct json_object *f);
void run_sum_driver_fields(struct json_object *fields, struct json_object *jobs);

/* run_checks.c */
void run_check(struct run_state *rs, bool ok, const char *name, const char *detail);
void run_skip(struct run_state *rs, const char *name, const char *why);
void run_judge_expects(struct run_state *rs, const char *prefix, const struct expect *ex,
		       size_t n, struct json_object *fields);
void run_consistency(struct run_state *rs, const char *prefix, struct json_object *f,
		     bool has_driver);

#endif /* IOUCMD_RUN_INTERNAL_H */
