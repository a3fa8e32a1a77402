// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus text exposition format, for node_exporter's textfile collector: a fleet's
 * Prometheus then scrapes what a trace or a scenario run saw.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "ioucmd.h"
#include "render.h"

/* the histogram's le bounds: 2^8 ns (256 ns) to 2^36 ns (about 69 s), then +Inf */
#define LE_FIRST_SHIFT	8
#define LE_LAST_SHIFT	36

/* label values escape backslash, quote and newline */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

enum family { COMMANDS, VIOLATIONS, LATENCY, FAMILIES };

static void labels(FILE *f, struct json_object *h, const char *scenario)
{
	fputs("{handler=\"", f);
	label(f, render_str(h, "handler"));
	fputs("\",scenario=\"", f);
	label(f, scenario);
	fputc('"', f);
}

/* the upper end of the histogram bucket that starts at lower ns (lib/hist.h's log-linear one) */
static uint64_t bucket_upper(uint64_t lower)
{
	for (uint32_t i = 0; i + 1 < IOUCMD_HIST_BUCKETS; i++)
		if (ioucmd_hist_lower(i) == lower)
			return ioucmd_hist_lower(i + 1);
	return lower;
}

/*
 * One latency series as a Prometheus histogram. Its le bounds are the powers of two from 256 ns
 * to 64 s, which the log-linear buckets never straddle, so each cumulative count is exact. The
 * kernel side keeps no sum: _sum adds each bucket's midpoint, within 1/16 of each sample.
 */
static void latency_histogram(FILE *f, struct json_object *h, const char *scenario,
			      struct json_object *l)
{
	struct json_object *buckets = json_object_object_get(l, "buckets");
	unsigned int op = (unsigned int)json_object_get_int64(json_object_object_get(l, "cmd_op"));
	size_t n = buckets ? json_object_array_length(buckets) : 0;
	double sum = 0;

	for (int k = LE_FIRST_SHIFT; k <= LE_LAST_SHIFT + 1; k++) {
		uint64_t le = 1ull << k, below = 0;

		for (size_t i = 0; i < n; i++) {
			struct json_object *b = json_object_array_get_idx(buckets, i);
			uint64_t lower = json_object_get_uint64(json_object_array_get_idx(b, 0));
			uint64_t count = json_object_get_uint64(json_object_array_get_idx(b, 1));

			if (k > LE_LAST_SHIFT || lower < le)
				below += count;
			if (k == LE_FIRST_SHIFT)
				sum += (double)count * (double)(lower + bucket_upper(lower)) / 2;
		}
		fputs("ioucmd_latency_seconds_bucket", f);
		labels(f, h, scenario);
		fprintf(f, ",cmd_op=\"0x%x\",kind=\"%s\",le=\"", op, render_str(l, "kind"));
		if (k > LE_LAST_SHIFT)
			fputs("+Inf", f);
		else
			fprintf(f, "%.9g", (double)le / 1e9);
		fprintf(f, "\"} %llu\n", (unsigned long long)below);
	}
	fputs("ioucmd_latency_seconds_sum", f);
	labels(f, h, scenario);
	fprintf(f, ",cmd_op=\"0x%x\",kind=\"%s\"} %.9f\n", op, render_str(l, "kind"), sum / 1e9);
	fputs("ioucmd_latency_seconds_count", f);
	labels(f, h, scenario);
	fprintf(f, ",cmd_op=\"0x%x\",kind=\"%s\"} %lld\n", op, render_str(l, "kind"),
		(long long)json_object_get_int64(json_object_object_get(l, "count")));
}

/* one family's samples for one handler: the text format wants each family in one group */
static void handler_family(FILE *f, struct json_object *h, const char *scenario, enum family fam)
{
	struct json_object *c = json_object_object_get(h, "counters"), *lat;

	if (fam != LATENCY && c) {
		json_object_object_foreach(c, key, val) {
			if (fam == VIOLATIONS && !strcmp(key, "violations")) {
				json_object_object_foreach(val, rule, n) {
					fputs("ioucmd_violations_total", f);
					labels(f, h, scenario);
					fprintf(f, ",rule=\"%s\"} %lld\n", rule,
						(long long)json_object_get_int64(n));
				}
			} else if (fam == COMMANDS && strcmp(key, "violations")) {
				fputs("ioucmd_commands_total", f);
				labels(f, h, scenario);
				fprintf(f, ",counter=\"%s\"} %lld\n", key,
					(long long)json_object_get_int64(val));
			}
		}
		return;
	}
	lat = json_object_object_get(h, "latency");
	for (size_t i = 0; fam == LATENCY && lat && i < json_object_array_length(lat); i++)
		latency_histogram(f, h, scenario, json_object_array_get_idx(lat, i));
}

/* every handler of the report, with the scenario it ran in ("" for a trace) */
static void each_handler(FILE *f, struct json_object *report, enum family fam)
{
	struct json_object *list = json_object_object_get(report, "scenarios"), *hs;

	if (!list) {
		hs = json_object_object_get(report, "handlers");
		for (size_t i = 0; hs && i < json_object_array_length(hs); i++)
			handler_family(f, json_object_array_get_idx(hs, i), "", fam);
		return;
	}
	for (size_t s = 0; s < json_object_array_length(list); s++) {
		struct json_object *sc = json_object_array_get_idx(list, s);

		hs = json_object_object_get(sc, "handlers");
		for (size_t i = 0; hs && i < json_object_array_length(hs); i++)
			handler_family(f, json_object_array_get_idx(hs, i), render_str(sc, "file"), fam);
	}
}

int render_prometheus(struct json_object *report, FILE *f)
{
	struct json_object *list = json_object_object_get(report, "scenarios");

	fputs("# HELP ioucmd_commands_total uring_cmd commands seen by the ioucmd tracer.\n"
	      "# TYPE ioucmd_commands_total counter\n", f);
	each_handler(f, report, COMMANDS);
	fputs("# HELP ioucmd_violations_total uring_cmd contract violations, by rule.\n"
	      "# TYPE ioucmd_violations_total counter\n", f);
	each_handler(f, report, VIOLATIONS);
	fputs("# HELP ioucmd_latency_seconds uring_cmd command latency, by kind.\n"
	      "# TYPE ioucmd_latency_seconds histogram\n", f);
	each_handler(f, report, LATENCY);
	if (list) {
		fputs("# HELP ioucmd_scenario_passed 1 if the scenario passed, 0 if it failed.\n"
		      "# TYPE ioucmd_scenario_passed gauge\n", f);
		for (size_t s = 0; s < json_object_array_length(list); s++) {
			struct json_object *sc = json_object_array_get_idx(list, s);

			if (!strcmp(render_str(sc, "result"), "skip"))
				continue;
			fputs("ioucmd_scenario_passed{scenario=\"", f);
			label(f, render_str(sc, "file"));
			fprintf(f, "\"} %d\n", !strcmp(render_str(sc, "result"), "pass"));
		}
	}
	return ferror(f) ? -1 : 0;
}
