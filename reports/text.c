// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The terminal text of a live trace or run: one violation with its symbolized stacks, what the
 * tracer can check on this kernel, and per-handler counts with latency histograms.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "names.h"
#include "report.h"
#include "text.h"


static void print_stack(FILE *out, struct tracer *t, int32_t id, const char *title)
{
	struct json_object *frames = report_stack(t, id);
	size_t n = json_object_array_length(frames);

	if (n)
		fprintf(out, "    %s:\n", title);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "      %s\n", json_object_get_string(json_object_array_get_idx(frames, i)));
	json_object_put(frames);
}

void text_violation(FILE *out, struct tracer *t, const struct ioucmd_event *e, int raw)
{
	char id[32], seen[160], want[160], issue[160], op[48];

	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		if (!(e->rules & IOUCMD_V(r)))
			continue;
		fprintf(out, "VIOLATION %s: handler %s cmd %s cmd_op %s (0x%x) user_data %llu pid %u "
			"(%.16s)\n", ioucmd_rule_name(r), tracer_handler(t, e->slot),
			report_cmd_id(e->cmd, raw, id, sizeof(id)),
			cmd_op_str(e->cmd_op, op, sizeof(op)), e->cmd_op,
			(unsigned long long)e->user_data, e->pid, e->comm);
		fprintf(out, "    res %d, completions %u, issue flags %s\n", e->res, e->done_count,
			ioucmd_flags_str(e->issue_flags, issue, sizeof(issue)));
		if (r == IOUCMD_RULE_ISSUE_FLAGS_MISMATCH)
			fprintf(out, "    flags passed %s, expected %s, %s%s%s\n",
				ioucmd_flags_str(e->flags_seen, seen, sizeof(seen)),
				ioucmd_flags_str(e->flags_expected, want, sizeof(want)),
				ioucmd_frame_what(e->frame),
				e->owns_uring_lock ? ", uring_lock held" : ", uring_lock not held",
				e->atomic ? ", atomic context" : "");
		if (r == IOUCMD_RULE_STALLED_COMMAND || r == IOUCMD_RULE_CANCEL_NOT_COMPLETED)
			fprintf(out, "    %s %.3f s ago and not completed (marks 0x%x)\n",
				r == IOUCMD_RULE_STALLED_COMMAND ? "issued" : "cancel requested",
				e->age_ns / 1e9, e->marks);
		if (r == IOUCMD_RULE_RES2_DROPPED)
			fprintf(out, "    res2 %llu on a ring without IORING_SETUP_CQE32\n",
				(unsigned long long)e->res2);
	}
	print_stack(out, t, e->stack_id, "stack");
	print_stack(out, t, e->first_stack_id, "first completion's stack");
}

void text_hist(FILE *out, const uint64_t *b, const char *label)
{
	uint64_t rows[64] = {0}, top = 0;
	int first = -1, last = -1;

	/* fold sub-buckets into powers of two of microseconds-from-nanoseconds: row r = [2^r, 2^(r+1)) ns */
	for (uint32_t i = 0; i < IOUCMD_HIST_BUCKETS; i++) {
		uint64_t lo = ioucmd_hist_lower(i);
		int r = lo ? (int)ioucmd_msb(lo) : 0;

		rows[r] += b[i];
	}
	for (int r = 0; r < 64; r++) {
		if (!rows[r])
			continue;
		if (first < 0)
			first = r;
		last = r;
		if (rows[r] > top)
			top = rows[r];
	}
	if (first < 0)
		return;
	fprintf(out, "%24s : %-10s |%-40s|\n", label, "count", "distribution");
	for (int r = first; r <= last; r++) {
		unsigned long long lo = 1ull << r, hi = (1ull << (r + 1)) - 1;
		int stars = (int)(rows[r] * 40 / top);
		char bar[41];

		memset(bar, '*', stars);
		bar[stars] = '\0';
		fprintf(out, "%11llu -> %-10llu : %-10llu |%-40s|\n", r ? lo : 0, hi,
			(unsigned long long)rows[r], bar);
	}
}

void text_features(FILE *out, struct tracer *t)
{
	const struct tracer_features *f = tracer_features(t);

	const char *fallback = tracer_fallback_why(t), *kprobe = strstr(fallback, "; kprobe: ");

	fprintf(out, "ioucmd: backend %s", tracer_backend_name(tracer_backend(t)));
	if (tracer_backend(t) != TRACER_TRACEPOINT)
		fprintf(out, "; completion function %s; CQEs %s", f->done_func,
			tracer_counts_cqes(t) ? "counted" : "not counted (--cqes)");
	fprintf(out, "\n");
	/* "fentry: why; kprobe: why": one line per backend that auto could not use */
	if (fallback[0])
		fprintf(out, "ioucmd: not used: %.*s\n",
			(int)(kprobe ? (size_t)(kprobe - fallback) : strlen(fallback)), fallback);
	if (kprobe)
		fprintf(out, "ioucmd: not used: %s\n", kprobe + 2);
	/* rules left out for one reason share one line: the reason is usually the backend */
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		const char *why = report_rule_unchecked(t, r), *other;
		bool first = true;

		if (!why)
			continue;
		for (int q = 0; q < r && first; q++)
			if ((other = report_rule_unchecked(t, q)) && !strcmp(other, why))
				first = false;
		if (!first)
			continue;
		fprintf(out, "ioucmd: not checkable (%s):", why);
		for (int q = r; q < IOUCMD_RULE__COUNT; q++)
			if ((other = report_rule_unchecked(t, q)) && !strcmp(other, why))
				fprintf(out, " %s", ioucmd_rule_name(q));
		fprintf(out, "\n");
	}
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		const char *why = report_rule_partial(t, r);

		if (why && !report_rule_unchecked(t, r))
			fprintf(out, "ioucmd: rule %s checked in part: %s\n", ioucmd_rule_name(r), why);
	}
}

static void print_latency(void *arg, uint32_t cmd_op, const char *kind, const uint64_t *b,
			  const struct hist_summary *s)
{
	FILE *out = arg;
	char op[48];

	fprintf(out, "\n  cmd_op %s (0x%x), %s: %llu commands, p50 %.0f ns, p90 %.0f ns, "
		"p99 %.0f ns, p99.9 %.0f ns, max < %.0f ns\n", cmd_op_str(cmd_op, op, sizeof(op)),
		cmd_op, kind, (unsigned long long)s->count, s->p50, s->p90, s->p99, s->p999, s->max);
	text_hist(out, b, "nsecs");
}

void text_summary(FILE *out, struct tracer *t)
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
		report_each_latency(t, s, print_latency, out);
	}
	fflush(out);
}
