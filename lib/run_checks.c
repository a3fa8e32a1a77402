// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A run's KTAP test points, kept in the report ("checks"): the scenario's expectations, and the
 * built-in consistency checks (every command completed once, as seen by user space, the tracer
 * and the driver).
 */
#include <stdio.h>
#include <string.h>
#include <ioucmd/ioucmd_ref.h>
#include "names.h"
#include "report.h"
#include "run_internal.h"

void run_check(struct run_state *rs, bool ok, const char *name, const char *detail)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "ok", json_object_new_boolean(ok));
	if (detail && *detail)
		json_object_object_add(c, "detail", json_object_new_string(detail));
	json_object_array_add(rs->checks, c);
	if (!ok)
		rs->failed = true;
}

void run_skip(struct run_state *rs, const char *name, const char *why)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "ok", json_object_new_boolean(1));
	json_object_object_add(c, "skip", json_object_new_string(why));
	json_object_array_add(rs->checks, c);
}

/* why a field the expectation table knows can be absent from a report at judging time */
static const char *unmeasured_why(const char *field)
{
	if (!strncmp(field, "res", 3))
		return "no CQE came back";
	if (!strncmp(field, "latency.", 8))
		return "the tracer's latency histograms could not be read";
	if (!strncmp(field, "driver.", 7))
		return "the reference driver's STATS command failed, or no job uses "
		       IOUCMD_REF_DEVPATH;
	return "the report lacks it";
}

void run_judge_expects(struct run_state *rs, const char *prefix, const struct expect *ex,
		       size_t n, struct json_object *fields)
{
	for (size_t i = 0; i < n; i++) {
		char name[256], what[128], why[256];
		int rule = -1;
		const char *unchecked;

		expect_format(&ex[i], what, sizeof(what));
		snprintf(name, sizeof(name), "%s: expect %s", prefix, what);
		if (!strncmp(ex[i].field, "violations.", 11))
			rule = ioucmd_rule_by_name(ex[i].field + 11);
		unchecked = rule >= 0 ? report_rule_unchecked(rs->t, rule) : NULL;
		if (unchecked) {
			snprintf(why, sizeof(why), "%s not checkable here: %s", ex[i].field + 11,
				 unchecked);
			run_skip(rs, name, why);
			continue;
		}
		switch (expect_eval(&ex[i], report_lookup, fields, why, sizeof(why))) {
		case EXPECT_PASS:
			if (rule >= 0 && report_rule_partial(rs->t, rule))
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "; checked in part here");
			run_check(rs, true, name, why);
			break;
		case EXPECT_FAIL:
			run_check(rs, false, name, why);
			break;
		default:
			/* the parser accepted the field: a run that could not measure it fails it */
			snprintf(why, sizeof(why), "%s was not measured: %s", ex[i].field,
				 unmeasured_why(ex[i].field));
			run_check(rs, false, name, why);
			break;
		}
	}
}

void run_consistency(struct run_state *rs, const char *prefix, struct json_object *f,
		     bool has_driver)
{
	char name[256], detail[256];
	double cqes = run_field(f, "cqes"), completed = run_field(f, "completed");
	double bpf_cqes = run_field(f, "bpf_cqes"), violations = run_field(f, "violations");
	bool tp = tracer_backend(rs->t) == TRACER_TRACEPOINT;

	snprintf(name, sizeof(name), "%s: tracer counts agree with the CQEs reaped", prefix);
	if (violations > 0) {
		run_skip(rs, name, "violations were reported: counts are expected to disagree");
		return;
	}
	if (tp) {
		snprintf(detail, sizeof(detail), "submissions %.0f, BPF CQEs %.0f, CQEs reaped %.0f",
			 run_field(f, "issued"), bpf_cqes, cqes);
		run_check(rs, bpf_cqes == cqes && run_field(f, "issued") == cqes, name, detail);
	} else {
		/* commands left in flight when a job gave up complete at ring exit, unreaped */
		double abandoned = run_field(f, "abandoned");

		snprintf(detail, sizeof(detail), "completions (sync %.0f + done %.0f) %.0f, BPF CQEs "
			 "%.0f, CQEs reaped %.0f + abandoned %.0f, untracked %.0f",
			 run_field(f, "sync_returns"), run_field(f, "done"), completed, bpf_cqes, cqes,
			 abandoned, run_field(f, "untracked"));
		run_check(rs, completed == cqes + abandoned && bpf_cqes == cqes + abandoned &&
			  !run_field(f, "untracked"), name, detail);
	}
	if (has_driver && !tp) {
		snprintf(name, sizeof(name), "%s: driver counters agree with the tracer", prefix);
		/* the driver counts what it refuses apart; the tracer saw those handler calls too */
		snprintf(detail, sizeof(detail), "driver issued %.0f + rejected %.0f, completed %.0f, "
			 "queued %.0f; tracer issued %.0f done %.0f queued %.0f",
			 run_field(f, "driver.issued"), run_field(f, "driver.rejected"),
			 run_field(f, "driver.completed"), run_field(f, "driver.queued"),
			 run_field(f, "issued"), run_field(f, "done"), run_field(f, "queued"));
		run_check(rs, run_field(f, "driver.issued") + run_field(f, "driver.rejected") ==
			  run_field(f, "issued") &&
			  run_field(f, "driver.completed") == run_field(f, "done") &&
			  run_field(f, "driver.queued") == run_field(f, "queued"), name, detail);
	}
}
