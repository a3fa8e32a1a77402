/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Renderings of the JSON report (reports/SCHEMA.md) of a run or a trace: HTML for people,
 * Prometheus for fleets, KTAP for test harnesses. The live terminal text is in text.h.
 */
#ifndef IOUCMD_RENDER_H
#define IOUCMD_RENDER_H

#include <stdio.h>
#include <json-c/json.h>

/* a single self-contained page: verdicts, violations with stacks, latency as inline SVG */
int render_html(struct json_object *report, FILE *out);
/* node_exporter textfile-collector format: counters, violations, latency quantiles */
int render_prometheus(struct json_object *report, FILE *out);
/*
 * KTAP test points of one scenario's result ({"checks": [...]}), numbered on from *n (which it
 * advances); returns how many failed. SKIP where a check has "skip", its detail as a comment.
 */
int render_ktap_checks(FILE *out, struct json_object *result, int *n);
/* a report's field o.k as a string ("" if absent), and as a number (0 if absent) */
const char *render_str(struct json_object *o, const char *k);
double render_num(struct json_object *o, const char *k);
/* can a rendering be written to path (its temporary file created beside it)? Before a long run */
int render_can_write(const char *path, char *err, size_t errlen);
/* writes with a renderer to path (atomically: a temporary file, then rename) */
int render_to_file(int (*render)(struct json_object *, FILE *), struct json_object *report,
		   const char *path, char *err, size_t errlen);

#endif /* IOUCMD_RENDER_H */
