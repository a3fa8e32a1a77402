// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus text exposition format, for node_exporter's textfile collector: a fleet's
 * Prometheus then scrapes what a trace or a scenario run saw.
 */
#include <stdio.h>
#include <string.h>
#include "render.h"

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

/* one family's samples for one handler: the text format wants each family in one group */
static void handler_family(FILE *f, struct json_object *h, const char *scenario, enum family fam)
{
	static const char *const q[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns" };
	static const char *const qv[] = { "0.5", "0.9", "0.99", "0.999" };
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
	for (size_t i = 0; fam == LATENCY && lat && i < json_object_array_length(lat); i++) {
		struct json_object *l = json_object_array_get_idx(lat, i);
		unsigned int op = (unsigned int)json_object_get_int64(json_object_object_get(l, "cmd_op"));

		for (int k = 0; k < 4; k++) {
			fputs("ioucmd_latency_seconds", f);
			labels(f, h, scenario);
			fprintf(f, ",cmd_op=\"0x%x\",kind=\"%s\",quantile=\"%s\"} %.9f\n", op,
				render_str(l, "kind"), qv[k],
				json_object_get_double(json_object_object_get(l, q[k])) / 1e9);
		}
		fputs("ioucmd_latency_seconds_count", f);
		labels(f, h, scenario);
		fprintf(f, ",cmd_op=\"0x%x\",kind=\"%s\"} %lld\n", op, render_str(l, "kind"),
			(long long)json_object_get_int64(json_object_object_get(l, "count")));
	}
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
	fputs("# HELP ioucmd_latency_seconds uring_cmd command latency quantiles.\n"
	      "# TYPE ioucmd_latency_seconds summary\n", f);
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
