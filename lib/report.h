/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The JSON report (schema in reports/SCHEMA.md): everything a run produced, built with json-c.
 * Terminal text, KTAP and HTML are renderings of it.
 */
#ifndef IOUCMD_REPORT_H
#define IOUCMD_REPORT_H

#include <json-c/json.h>
#include "hist.h"
#include "tracer.h"

#define REPORT_SCHEMA "ioucmd-report/1"

/* the top-level object: schema, kernel, backend, rules checked and not checkable */
struct json_object *report_new(struct tracer *t);
/* each latency histogram of a handler slot that has commands: its cmd_op, what it measures */
typedef void (*report_latency_fn)(void *arg, uint32_t cmd_op, const char *kind,
				  const uint64_t *buckets, const struct hist_summary *s);
void report_each_latency(struct tracer *t, int slot, report_latency_fn fn, void *arg);
/* the tracer's view of one handler: counters, violations by rule, latency per cmd_op */
struct json_object *report_handler(struct tracer *t, int slot);
/* one violation event, with decoded flags and symbolized stacks */
struct json_object *report_violation(struct tracer *t, const struct ioucmd_event *e, int raw);
/* a stack id's frames, symbolized: ["func+0x1a [module]", ...] ([] when there is none) */
struct json_object *report_stack(struct tracer *t, int32_t id);
/* flat "totals" map over all handlers: the fields `expect` lines name */
struct json_object *report_totals(struct tracer *t);
/* all handlers' command latency (issue to done(), or in the handler) in one log2 histogram */
int report_latency_hist(struct tracer *t, uint64_t *hist);
/* latency.count/p50/p90/p99/p999/max of a histogram, as the `expect` fields */
void report_put_latency(struct json_object *o, const uint64_t *hist);
/* the rules this kernel and backend let the tracer judge, and why the others are not */
struct json_object *report_rules(struct tracer *t, int checkable);
/* why rule r cannot be judged here, or NULL if it can */
const char *report_rule_unchecked(struct tracer *t, int r);
/* what part of a checkable rule r is judged here, or NULL if all of it is */
const char *report_rule_partial(struct tracer *t, int r);

/* a command pointer as reports show it: hashed unless raw, so reports leak no addresses */
const char *report_cmd_id(uint64_t cmd, int raw, char *buf, size_t len);
/* violations of every rule over all handlers */
uint64_t report_total_violations(struct tracer *t);

/* a number from a flat totals object; false if the field is not there */
int report_lookup(void *totals, const char *field, double *out);

#endif /* IOUCMD_REPORT_H */
