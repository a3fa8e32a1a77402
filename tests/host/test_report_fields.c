// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every field the expectation language accepts (lib/expect.c's table) is in the report a
 * real run wrote: in each scenario's totals and in each of its jobs. A field the parser accepts
 * but the run never fills in would make every expectation on it fail.
 *
 * Usage: test_report_fields REPORT.json [--absent PREFIX]...
 *   PREFIX: fields this run cannot have (driver. without the reference driver); they must be
 *   missing, so that an expectation on them fails rather than reads a made-up value.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "expect.h"
#include "ktap.h"

static const char *absent[8];
static int nr_absent;

static int must_be_absent(const char *field)
{
	for (int i = 0; i < nr_absent; i++)
		if (!strncmp(field, absent[i], strlen(absent[i])))
			return 1;
	return 0;
}

/* one test point per object: the fields it lacks, and those it has but must not */
static void check_object(struct json_object *o, const char *what)
{
	char missing[1024] = "", extra[1024] = "", name[2600];
	struct json_object *v;

	for (size_t i = 0; i < expect_nr_fields(); i++) {
		const char *f = expect_field_name(i);
		int has = json_object_object_get_ex(o, f, &v) &&
			  (json_object_is_type(v, json_type_int) ||
			   json_object_is_type(v, json_type_double));
		char *list = must_be_absent(f) ? (has ? extra : NULL) : (has ? NULL : missing);

		if (list)
			snprintf(list + strlen(list), 1024 - strlen(list), " %s", f);
	}
	snprintf(name, sizeof(name), "%s has every expectation field as a number%s%s%s%s", what,
		 missing[0] ? "; missing:" : "", missing, extra[0] ? "; must be absent:" : "", extra);
	ktap_result(!missing[0] && !extra[0], name);
}

int main(int argc, char **argv)
{
	struct json_object *report, *scenarios;
	char what[512];
	int planned = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: test_report_fields REPORT.json [--absent PREFIX]...\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc && nr_absent < 8; i += 2)
		if (!strcmp(argv[i], "--absent"))
			absent[nr_absent++] = argv[i + 1];
	report = json_object_from_file(argv[1]);
	scenarios = report ? json_object_object_get(report, "scenarios") : NULL;
	for (size_t s = 0; scenarios && s < json_object_array_length(scenarios); s++)
		planned += 1 + (int)json_object_array_length(json_object_object_get(
			json_object_array_get_idx(scenarios, s), "jobs"));
	ktap_plan(planned ? planned : 1);
	if (!planned) {
		ktap_result(0, "the report has scenarios with jobs");
		return ktap_finish();
	}
	for (size_t s = 0; s < json_object_array_length(scenarios); s++) {
		struct json_object *sc = json_object_array_get_idx(scenarios, s);
		struct json_object *jobs = json_object_object_get(sc, "jobs");
		const char *file = json_object_get_string(json_object_object_get(sc, "file"));

		snprintf(what, sizeof(what), "%s: totals", file);
		check_object(json_object_object_get(sc, "totals"), what);
		for (size_t j = 0; j < json_object_array_length(jobs); j++) {
			struct json_object *job = json_object_array_get_idx(jobs, j);

			snprintf(what, sizeof(what), "%s: job %s", file,
				 json_object_get_string(json_object_object_get(job, "name")));
			check_object(job, what);
		}
	}
	json_object_put(report);
	return ktap_finish();
}
