// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include "cli.h"
#include "ksyms.h"

static const char *const frame_names[] = {
	[IOUCMD_FRAME_NONE] = "other context (workqueue, timer, other task)",
	[IOUCMD_FRAME_HANDLER] = "inside the handler",
	[IOUCMD_FRAME_CANCEL] = "inside the cancel call",
	[IOUCMD_FRAME_TASK_WORK] = "inside the task-work callback",
};

const char *cmd_id(uint64_t cmd, int raw, char *buf, size_t len)
{
	/* a keyed mix, so that one run's ids are stable yet no kernel address leaks */
	uint64_t h = cmd ^ 0x9e3779b97f4a7c15ull;

	if (raw) {
		snprintf(buf, len, "0x%llx", (unsigned long long)cmd);
		return buf;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	snprintf(buf, len, "#%08llx", (unsigned long long)(h & 0xffffffffull));
	return buf;
}

static void print_stack(FILE *out, struct tracer *t, int32_t id, const char *title)
{
	static struct ksyms *ks;
	uint64_t ips[IOUCMD_STACK_DEPTH];
	int n = tracer_stack(t, id, ips, IOUCMD_STACK_DEPTH);

	if (!n)
		return;
	if (!ks)
		ks = ksyms_load();
	fprintf(out, "    %s:\n", title);
	for (int i = 0; i < n; i++) {
		const struct ksym *s = ksyms_find(ks, ips[i]);

		if (s)
			fprintf(out, "      %s+0x%llx%s%s%s\n", s->name,
				(unsigned long long)(ips[i] - s->addr), s->module ? " [" : "",
				s->module ? s->module : "", s->module ? "]" : "");
		else
			fprintf(out, "      0x%llx\n", (unsigned long long)ips[i]);
	}
}

void violation_print(FILE *out, struct tracer *t, const struct ioucmd_event *e, int raw)
{
	char id[32], seen[160], want[160], issue[160];

	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		if (!(e->rules & IOUCMD_V(r)))
			continue;
		fprintf(out, "VIOLATION %s: handler %s cmd %s cmd_op 0x%x user_data %llu pid %u (%.16s)\n",
			ioucmd_rule_name(r), tracer_handler(t, e->slot),
			cmd_id(e->cmd, raw, id, sizeof(id)), e->cmd_op,
			(unsigned long long)e->user_data, e->pid, e->comm);
		fprintf(out, "    res %d, completions %u, issue flags %s\n", e->res, e->done_count,
			ioucmd_flags_str(e->issue_flags, issue, sizeof(issue)));
		if (r == IOUCMD_RULE_ISSUE_FLAGS_MISMATCH)
			fprintf(out, "    flags passed %s, expected %s, %s%s%s\n",
				ioucmd_flags_str(e->flags_seen, seen, sizeof(seen)),
				ioucmd_flags_str(e->flags_expected, want, sizeof(want)),
				e->frame < 4 ? frame_names[e->frame] : "?",
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
