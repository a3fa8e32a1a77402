/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Runs one scenario under the tracer and judges it: the engine behind `ioucmd run`. */
#ifndef IOUCMD_RUN_H
#define IOUCMD_RUN_H

#include <stdbool.h>
#include <json-c/json.h>
#include "scenario.h"
#include "tracer.h"

struct run_opts {
	bool raw;			/* unhashed command pointers in reports */
	const char *events_path;	/* Chrome trace of every command, or NULL */
	uint64_t stall_timeout_ns;	/* default when the scenario sets none */
	/*
	 * Called with the result once it is judged, before the tracer detaches: detaching waits
	 * for an RCU-tasks grace period, which a driver bug (a cancel loop that never ends) can
	 * hold off forever, and the verdict must be out by then.
	 */
	void (*judged)(struct json_object *result, void *arg);
	/* a line of news while it runs (which backend judges, a job left behind); may be NULL */
	void (*note)(const char *line, void *arg);
	/* called for each violation as the tracer reports it (the report has them too); may be NULL */
	void (*violation)(struct tracer *t, const struct ioucmd_event *e, void *arg);
	void *arg;
};

/*
 * Runs sc and returns its part of the report: {"file", "result": "pass"|"fail"|"skip",
 * "checks": [{"name", "ok", "skip", "detail"}], "jobs": [...], "totals", "handlers",
 * "violations", "tracer", ...}. Never NULL. The "checks" are the KTAP test points.
 */
struct json_object *run_scenario(const struct scenario *sc, const struct run_opts *opts);

#endif /* IOUCMD_RUN_H */
