/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Renderings of a saved JSON report (run or trace): HTML for people, Prometheus for fleets. */
#ifndef IOUCMD_RENDER_H
#define IOUCMD_RENDER_H

#include <stdio.h>
#include <json-c/json.h>

/* a single self-contained page: verdicts, violations with stacks, latency as inline SVG */
int render_html(struct json_object *report, FILE *out);
/* node_exporter textfile-collector format: counters, violations, latency quantiles */
int render_prometheus(struct json_object *report, FILE *out);
/* writes with a renderer to path (atomically: a temporary file, then rename) */
int render_to_file(int (*render)(struct json_object *, FILE *), struct json_object *report,
		   const char *path, char *err, size_t errlen);

#endif /* IOUCMD_RENDER_H */
