// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One scenario: load its module, attach the tracer to the handlers its devices use, run each
 * job while draining the tracer's events, then judge: built-in consistency checks (every
 * command completed once, as seen by user space, the tracer and the driver) and the scenario's
 * own expectations, each a KTAP test point. The parts are in run_*.c (run_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ioucmd/ioucmd_ref.h>
#include "names.h"
#include "report.h"
#include "run_internal.h"

#define DEFAULT_STALL_NS	10000000000ull

void run_note(struct run_state *rs, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!rs->opts->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rs->opts->note(line, rs->opts->arg);
}

static void on_violation(void *arg, const struct ioucmd_event *e)
{
	struct run_state *rs = arg;

	json_object_array_add(rs->violations, report_violation(rs->t, e, rs->opts->raw));
	if (rs->opts->violation)
		rs->opts->violation(rs->t, e, rs->opts->arg);
}

static void on_life(void *arg, const struct ioucmd_event *e)
{
	struct run_state *rs = arg;

	chrome_trace_event(rs->events, rs->t, e);
}

static bool uses_ref_driver(const struct scenario *sc)
{
	for (size_t j = 0; j < sc->nr_jobs; j++)
		if (!strcmp(sc->jobs[j].device, IOUCMD_REF_DEVPATH))
			return true;
	return false;
}

/* one job: its part of the report, its test points; adds its submitter's view to all */
static void run_one(struct run_state *rs, const struct scenario_job *sj, uint64_t stall_ns,
		    bool has_driver, struct json_object *jobs, struct submit_result *all)
{
	struct json_object *before = report_totals(rs->t), *after, *jf;
	struct job_thread *jt = calloc(1, sizeof(*jt));
	uint64_t hist_before[IOUCMD_HIST_BUCKETS], hist_after[IOUCMD_HIST_BUCKETS];
	bool have_hist, stats_ok;
	char prefix[160], name[256], detail[512];
	int ret;

	if (!jt) {
		json_object_put(before);
		return;
	}
	stats_ok = !has_driver || run_driver_stats(before);
	have_hist = !report_latency_hist(rs->t, hist_before);
	ret = run_job(rs, sj, jt, stall_ns);
	have_hist = have_hist && !report_latency_hist(rs->t, hist_after);
	after = report_totals(rs->t);
	if (has_driver)
		stats_ok = run_driver_stats(after) && stats_ok;
	jf = json_object_new_object();
	json_object_object_add(jf, "name", json_object_new_string(sj->name));
	json_object_object_add(jf, "device", json_object_new_string(sj->device));
	json_object_object_add(jf, "cmd_op", json_object_new_uint64(sj->cmd.cmd_op));
	run_add_delta(jf, before, after);
	if (has_driver) {
		run_drop_stats_reads(jf, 1);	/* the one after `before` */
		run_drop_driver_stats_read(jf);
		if (!stats_ok)
			run_drop_driver_fields(jf);
	}
	if (have_hist)
		run_add_job_latency(jf, hist_before, hist_after);
	run_add_submit_fields(jf, &jt->res);
	run_add_user_latency(jf, jt->res.lat);
	run_put(jf, "elapsed_ns", (double)jt->res.elapsed_ns);
	snprintf(prefix, sizeof(prefix), "%s/%s", rs->sc->path, sj->name);
	snprintf(name, sizeof(name), "%s: ran", prefix);
	snprintf(detail, sizeof(detail), "%llu submitted, %llu CQEs, %llu errors%s%s",
		 (unsigned long long)jt->res.submitted, (unsigned long long)jt->res.cqes,
		 (unsigned long long)jt->res.cqe_errors, ret ? "; " : "", ret ? jt->err : "");
	/* a command that never completes is a scenario's business (stalls): not a failure */
	run_check(rs, !ret || ret == -ETIME, name, detail);
	if (jt->res.res_mismatch)
		printf("# %s: %llu of %llu results differ from what the commands sent ask for "
		       "(the first: %d)\n", prefix, (unsigned long long)jt->res.res_mismatch,
		       (unsigned long long)jt->res.res_checked, jt->res.first_bad_res);
	run_judge_expects(rs, prefix, sj->expects, sj->nr_expects, jf);
	json_object_array_add(jobs, jf);
	json_object_put(before);
	json_object_put(after);
	submit_result_merge(all, &jt->res);
	free(jt);
}

static void run_jobs(struct run_state *rs, uint64_t stall_ns, bool has_driver)
{
	struct json_object *jobs = json_object_new_array(), *totals = json_object_new_object();
	struct submit_result all = { 0 };

	for (size_t j = 0; j < rs->sc->nr_jobs; j++)
		run_one(rs, &rs->sc->jobs[j], stall_ns, has_driver, jobs, &all);
	json_object_object_add(rs->out, "jobs", jobs);
	run_add_submit_fields(totals, &all);
	run_add_user_latency(totals, all.lat);
	json_object_object_add(rs->out, "submit_totals", totals);
}

/* the verdict is out: hand it on, then detach (which may wait long, see run.h) */
static struct json_object *finish(struct run_state *rs, const char *result)
{
	json_object_object_add(rs->out, "result", json_object_new_string(result));
	if (rs->opts->judged)
		rs->opts->judged(rs->out, rs->opts->arg);
	if (rs->events)
		chrome_trace_close(rs->events);
	if (tracer_detach(rs->t, TRACER_DETACH_TIMEOUT_NS) == -ETIMEDOUT) {
		/* what runs next would run on a kernel the bug holds: the caller stops */
		json_object_object_add(rs->out, "kernel_wedged", json_object_new_boolean(true));
		run_note(rs, "the kernel did not let the probes go within %llu s: it is probably wedged "
		     "by the traced bug; the verdict above stands",
		     (unsigned long long)(TRACER_DETACH_TIMEOUT_NS / 1000000000ull));
	}
	return rs->out;
}

struct json_object *run_scenario(const struct scenario *sc, const struct run_opts *opts)
{
	struct run_state rs = { .sc = sc, .opts = opts };
	struct tracer_opts to = { .backend = sc->backend };
	struct json_object *fields, *handlers;
	uint64_t stall_ns = sc->stall_timeout_ns ? sc->stall_timeout_ns
			    : opts->stall_timeout_ns ? opts->stall_timeout_ns : DEFAULT_STALL_NS;
	bool has_driver = uses_ref_driver(sc);
	char err[1024], rel[128] = "", name[256];

	rs.out = json_object_new_object();
	rs.checks = json_object_new_array();
	rs.violations = json_object_new_array();
	json_object_object_add(rs.out, "file", json_object_new_string(sc->path));
	json_object_object_add(rs.out, "description", json_object_new_string(sc->description));
	json_object_object_add(rs.out, "source", json_object_new_string(sc->source));
	json_object_object_add(rs.out, "checks", rs.checks);
	json_object_object_add(rs.out, "violations", rs.violations);

	if (!run_kernel_at_least(sc->min_kernel_major, sc->min_kernel_minor, rel, sizeof(rel))) {
		snprintf(err, sizeof(err), "needs Linux %u.%u, this is %s", sc->min_kernel_major,
			 sc->min_kernel_minor, rel);
		run_skip(&rs, sc->path, err);
		json_object_object_add(rs.out, "result", json_object_new_string("skip"));
		return rs.out;
	}
	snprintf(name, sizeof(name), "%s: set up", sc->path);
	if (sc->module[0] && run_load_module(sc->module, sc->module_params, err, sizeof(err)))
		goto broken;
	if (run_choose_handlers(&rs, err, sizeof(err)))
		goto broken;
	for (int i = 0; i < rs.nr_handlers; i++)
		to.handlers[i] = rs.handlers[i].name;
	to.nr_handlers = rs.nr_handlers;
	to.stall_timeout_ns = stall_ns;
	to.first_stacks = true;	/* scenarios are for finding bugs: both stacks of a double */
	to.cqes = true;		/* and for exact counts: every CQE, cross-checked */
	to.on_violation = on_violation;
	to.arg = &rs;
	if (opts->events_path) {
		rs.events = chrome_trace_open(opts->events_path, err, sizeof(err));
		if (!rs.events)
			goto broken;
		to.events = true;
		to.on_life = on_life;
	}
	rs.t = tracer_open(&to, err, sizeof(err));
	if (!rs.t)
		goto broken;
	/* auto may have fallen back: say which backend judges this run, and why not a better one */
	run_note(&rs, "backend: %s%s%s%s", tracer_backend_name(tracer_backend(rs.t)),
	       tracer_fallback_why(rs.t)[0] ? " (better backends unavailable: " : "",
	       tracer_fallback_why(rs.t), tracer_fallback_why(rs.t)[0] ? ")" : "");

	run_jobs(&rs, stall_ns, has_driver);
	tracer_poll(rs.t, 100);
	tracer_sweep(rs.t, true);
	tracer_poll(rs.t, 0);

	fields = report_totals(rs.t);
	if (has_driver)
		run_drop_stats_reads(fields, 2.0 * sc->nr_jobs);	/* before and after each job */
	json_object_object_foreach(json_object_object_get(rs.out, "submit_totals"), k, v)
		json_object_object_add(fields, k, json_object_get(v));
	if (has_driver)
		run_sum_driver_fields(fields, json_object_object_get(rs.out, "jobs"));
	json_object_object_add(rs.out, "totals", fields);
	handlers = json_object_new_array();
	for (int s = 0; s < tracer_nr_handlers(rs.t); s++)
		json_object_array_add(handlers, report_handler(rs.t, s));
	json_object_object_add(rs.out, "handlers", handlers);
	json_object_object_add(rs.out, "tracer", report_new(rs.t));
	run_consistency(&rs, sc->path, fields, has_driver);
	run_judge_expects(&rs, sc->path, sc->expects, sc->nr_expects, fields);
	return finish(&rs, rs.failed ? "fail" : "pass");
broken:
	run_check(&rs, false, name, err);
	return finish(&rs, "fail");
}
