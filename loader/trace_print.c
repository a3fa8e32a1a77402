// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include "hist.h"
#include "report.h"
#include "trace_print.h"

void trace_print_features(FILE *out, struct tracer *t)
{
	const struct tracer_features *f = tracer_features(t);

	fprintf(out, "ioucmd: backend %s", tracer_backend_name(tracer_backend(t)));
	if (tracer_fallback_why(t)[0])
		fprintf(out, " (better backends unavailable: %s)", tracer_fallback_why(t));
	if (tracer_backend(t) != TRACER_TRACEPOINT)
		fprintf(out, "; completion function %s; task-work frames %s", f->done_func,
			f->has_cmd_work ? "yes" : "no (lock-owner rule only)");
	fprintf(out, "\n");
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		const char *why = report_rule_unchecked(t, r);

		if (why)
			fprintf(out, "ioucmd: rule %s not checkable: %s\n", ioucmd_rule_name(r), why);
	}
}

uint64_t trace_total_violations(struct tracer *t)
{
	struct ioucmd_counters c;
	uint64_t total = 0;

	for (int s = 0; s < tracer_nr_handlers(t); s++) {
		if (tracer_counters(t, s, &c))
			continue;
		for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
			total += c.violations[r];
	}
	return total;
}

static void print_latency(FILE *out, struct tracer *t, int slot)
{
	uint64_t *b = calloc(IOUCMD_HIST_BUCKETS, sizeof(*b));
	uint32_t cmd_op;

	if (!b)
		return;
	for (int op = 0; op < IOUCMD_MAX_OPS; op++) {
		if (!tracer_op(t, slot, op, &cmd_op))
			continue;
		for (int k = 0; k < IOUCMD_LAT__COUNT; k++) {
			struct hist_summary s;

			if (tracer_hist(t, slot, op, k, b))
				continue;
			hist_summarize(b, &s);
			if (!s.count)
				continue;
			fprintf(out, "\n  cmd_op 0x%x, %s: %llu commands, p50 %.0f ns, p90 %.0f ns, "
				"p99 %.0f ns, p99.9 %.0f ns, max < %.0f ns\n", cmd_op, tracer_lat_name(t, k),
				(unsigned long long)s.count, s.p50, s.p90, s.p99, s.p999, s.max);
			hist_print(out, b, "nsecs");
		}
	}
	free(b);
}

void trace_print_summary(FILE *out, struct tracer *t)
{
	struct ioucmd_counters c;

	for (int s = 0; s < tracer_nr_handlers(t); s++) {
		if (tracer_counters(t, s, &c))
			continue;
		fprintf(out, "\n%s: issued %llu, queued %llu, sync %llu, eagain %llu, cancel calls %llu, "
			"done %llu, cqes %llu, untracked %llu, map full %llu, lost events %llu\n",
			tracer_handler(t, s),
			(unsigned long long)c.issued, (unsigned long long)c.queued,
			(unsigned long long)c.sync_returns, (unsigned long long)c.eagain,
			(unsigned long long)c.cancel_calls, (unsigned long long)c.done,
			(unsigned long long)c.cqes, (unsigned long long)c.untracked,
			(unsigned long long)c.inflight_full, (unsigned long long)c.lost_events);
		for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
			if (c.violations[r])
				fprintf(out, "  violations %s: %llu\n", ioucmd_rule_name(r),
					(unsigned long long)c.violations[r]);
		print_latency(out, t, s);
	}
	fflush(out);
}
