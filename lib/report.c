// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The report model: what a trace or a run produced, as json-c objects (reports/SCHEMA.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "hist.h"
#include "ksyms.h"
#include "names.h"
#include "report.h"

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

const char *report_cmd_id(uint64_t cmd, int raw, char *buf, size_t len)
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

uint64_t report_total_violations(struct tracer *t)
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

const char *report_rule_unchecked(struct tracer *t, int r)
{
	const struct tracer_features *f = tracer_features(t);

	if (tracer_backend(t) == TRACER_TRACEPOINT && r != IOUCMD_RULE_DOUBLE_COMPLETION)
		return "tracepoint backend: the handler's return, done() and its issue_flags are "
		       "not visible to io_uring's tracepoints (only a second CQE for one "
		       "submission is)";
	if ((r == IOUCMD_RULE_CANCEL_NOT_COMPLETED || r == IOUCMD_RULE_CANCELABLE_NOT_QUEUED) &&
	    !f->has_mark_cancelable)
		return "this kernel has no cancelable uring_cmds";
	return NULL;
}

const char *report_rule_partial(struct tracer *t, int r)
{
	const struct tracer_features *f = tracer_features(t);

	/* what cmd_state.h's ioucmd_check_flags() judges without IOUCMD_K_FLAGS_MATTER */
	if (!report_rule_unchecked(t, r) && r == IOUCMD_RULE_ISSUE_FLAGS_MISMATCH &&
	    !(f->kernel & IOUCMD_K_FLAGS_MATTER))
		return "done() ignores issue_flags on this kernel (6.1): only done() from atomic "
		       "context (hardirq, softirq, preemption off) is judged, which 6.1's "
		       "completion_lock does not allow";
	if (!report_rule_unchecked(t, r) && r == IOUCMD_RULE_ISSUE_FLAGS_MISMATCH &&
	    tracer_backend(t) == TRACER_KPROBE)
		return "a kprobe's own preemption depth varies (1, or 2 when another tracer shares "
		       "the function), so a done() is judged atomic only above 2 or with interrupts "
		       "off: one plain spin_lock() around it can go unseen (fentry sees it)";
	return NULL;
}

struct json_object *report_rules(struct tracer *t, int checkable)
{
	struct json_object *arr = json_object_new_array();

	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		const char *why = report_rule_unchecked(t, r);

		if (checkable && !why) {
			json_object_array_add(arr, json_object_new_string(ioucmd_rule_name(r)));
		} else if (!checkable && why) {
			struct json_object *o = json_object_new_object();

			add_str(o, "rule", ioucmd_rule_name(r));
			add_str(o, "why", why);
			json_object_array_add(arr, o);
		}
	}
	return arr;
}

struct json_object *report_new(struct tracer *t)
{
	const struct tracer_features *f = tracer_features(t);
	struct json_object *root = json_object_new_object(), *k = json_object_new_object();
	struct json_object *feat = json_object_new_object(), *partial = json_object_new_array();
	struct utsname u;

	add_str(root, "schema", REPORT_SCHEMA);
	if (!uname(&u)) {
		add_str(k, "release", u.release);
		add_str(k, "machine", u.machine);
	}
	json_object_object_add(root, "kernel", k);
	add_str(root, "backend", tracer_backend_name(tracer_backend(t)));
	if (tracer_fallback_why(t)[0])
		add_str(root, "backend_fallback_reason", tracer_fallback_why(t));
	add_str(feat, "completion_function", f->done_func);
	json_object_object_add(feat, "cancelable", json_object_new_boolean(f->has_mark_cancelable));
	json_object_object_add(feat, "cqe_tracepoint", json_object_new_boolean(f->has_complete_tp));
	json_object_object_add(feat, "cqes_counted", json_object_new_boolean(tracer_counts_cqes(t)));
	json_object_object_add(root, "features", feat);
	json_object_object_add(root, "rules_checked", report_rules(t, 1));
	json_object_object_add(root, "rules_not_checkable", report_rules(t, 0));
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		const char *what = report_rule_partial(t, r);
		struct json_object *o;

		if (!what)
			continue;
		o = json_object_new_object();
		add_str(o, "rule", ioucmd_rule_name(r));
		add_str(o, "what", what);
		json_object_array_add(partial, o);
	}
	json_object_object_add(root, "rules_checked_in_part", partial);
	return root;
}

static struct json_object *counters_json(const struct ioucmd_counters *c)
{
	struct json_object *o = json_object_new_object(), *v = json_object_new_object();

	add_u64(o, "issued", c->issued);
	add_u64(o, "queued", c->queued);
	add_u64(o, "sync_returns", c->sync_returns);
	add_u64(o, "eagain", c->eagain);
	add_u64(o, "cancel_calls", c->cancel_calls);
	add_u64(o, "done", c->done);
	add_u64(o, "mark_cancelable", c->mark_cancelable);
	add_u64(o, "cqes", c->cqes);
	add_u64(o, "untracked", c->untracked);
	add_u64(o, "inflight_full", c->inflight_full);
	add_u64(o, "lost_events", c->lost_events);
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		add_u64(v, ioucmd_rule_name(r), c->violations[r]);
	json_object_object_add(o, "violations", v);
	return o;
}

static struct json_object *hist_json(const uint64_t *b, const struct hist_summary *s)
{
	struct json_object *o = json_object_new_object(), *buckets = json_object_new_array();

	add_u64(o, "count", s->count);
	json_object_object_add(o, "p50_ns", json_object_new_double(s->p50));
	json_object_object_add(o, "p90_ns", json_object_new_double(s->p90));
	json_object_object_add(o, "p99_ns", json_object_new_double(s->p99));
	json_object_object_add(o, "p999_ns", json_object_new_double(s->p999));
	json_object_object_add(o, "max_ns", json_object_new_double(s->max));
	for (uint32_t i = 0; i < IOUCMD_HIST_BUCKETS; i++) {
		struct json_object *pair;

		if (!b[i])
			continue;
		pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_uint64(ioucmd_hist_lower(i)));
		json_object_array_add(pair, json_object_new_uint64(b[i]));
		json_object_array_add(buckets, pair);
	}
	json_object_object_add(o, "buckets", buckets);
	return o;
}

void report_each_latency(struct tracer *t, int slot, report_latency_fn fn, void *arg)
{
	uint64_t *b = calloc(IOUCMD_HIST_BUCKETS, sizeof(*b));
	uint32_t cmd_op;

	for (int op = 0; b && op < IOUCMD_MAX_OPS; op++) {
		if (!tracer_op(t, slot, op, &cmd_op))
			continue;
		for (int k = 0; k < IOUCMD_LAT__COUNT; k++) {
			struct hist_summary s;

			if (tracer_hist(t, slot, op, k, b))
				continue;
			hist_summarize(b, &s);
			if (s.count)
				fn(arg, cmd_op, tracer_lat_name(t, k), b, &s);
		}
	}
	free(b);
}

static void add_latency(void *arg, uint32_t cmd_op, const char *kind, const uint64_t *b,
			const struct hist_summary *s)
{
	struct json_object *h = hist_json(b, s);

	add_u64(h, "cmd_op", cmd_op);
	add_str(h, "kind", kind);
	json_object_array_add(arg, h);
}

struct json_object *report_handler(struct tracer *t, int slot)
{
	struct json_object *o = json_object_new_object(), *lat = json_object_new_array();
	struct ioucmd_counters c;

	add_str(o, "handler", tracer_handler(t, slot));
	if (!tracer_counters(t, slot, &c))
		json_object_object_add(o, "counters", counters_json(&c));
	report_each_latency(t, slot, add_latency, lat);
	json_object_object_add(o, "latency", lat);
	return o;
}

struct json_object *report_stack(struct tracer *t, int32_t id)
{
	static struct ksyms *ks;
	struct json_object *arr = json_object_new_array();
	uint64_t ips[IOUCMD_STACK_DEPTH];
	int n = tracer_stack(t, id, ips, IOUCMD_STACK_DEPTH);
	char buf[256];

	if (n && !ks)
		ks = ksyms_load();
	for (int i = 0; i < n; i++) {
		const struct ksym *s = ksyms_find(ks, ips[i]);

		if (s)
			snprintf(buf, sizeof(buf), "%s+0x%llx%s%s%s", s->name,
				 (unsigned long long)(ips[i] - s->addr), s->module ? " [" : "",
				 s->module ? s->module : "", s->module ? "]" : "");
		else
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)ips[i]);
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

struct json_object *report_violation(struct tracer *t, const struct ioucmd_event *e, int raw)
{
	struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
	char buf[160];

	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		if (e->rules & IOUCMD_V(r))
			json_object_array_add(rules, json_object_new_string(ioucmd_rule_name(r)));
	/* the first rule is the report's key; the others came with it */
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		if (e->rules & IOUCMD_V(r)) {
			add_str(o, "rule", ioucmd_rule_name(r));
			break;
		}
	}
	json_object_object_add(o, "rules", rules);
	add_str(o, "handler", tracer_handler(t, e->slot));
	add_str(o, "cmd", report_cmd_id(e->cmd, raw, buf, sizeof(buf)));
	add_u64(o, "cmd_op", e->cmd_op);
	add_u64(o, "pid", e->pid);
	add_u64(o, "tid", e->tid);
	snprintf(buf, sizeof(buf), "%.*s", IOUCMD_COMM_LEN, e->comm);
	add_str(o, "comm", buf);
	add_u64(o, "user_data", e->user_data);
	json_object_object_add(o, "res", json_object_new_int(e->res));
	add_u64(o, "res2", e->res2);
	add_u64(o, "completions", e->done_count);
	add_str(o, "issue_flags", ioucmd_flags_str(e->issue_flags, buf, sizeof(buf)));
	add_str(o, "flags_seen", ioucmd_flags_str(e->flags_seen, buf, sizeof(buf)));
	add_str(o, "flags_expected", ioucmd_flags_str(e->flags_expected, buf, sizeof(buf)));
	add_str(o, "context", ioucmd_frame_name(e->frame));
	json_object_object_add(o, "uring_lock_held", json_object_new_boolean(e->owns_uring_lock));
	json_object_object_add(o, "atomic", json_object_new_boolean(e->atomic));
	if (e->age_ns)
		add_u64(o, "age_ns", e->age_ns);
	json_object_object_add(o, "stack", report_stack(t, e->stack_id));
	json_object_object_add(o, "first_stack", report_stack(t, e->first_stack_id));
	return o;
}

int report_latency_hist(struct tracer *t, uint64_t *all)
{
	uint64_t *b = calloc(IOUCMD_HIST_BUCKETS, sizeof(*b));

	if (!b)
		return -ENOMEM;
	memset(all, 0, IOUCMD_HIST_BUCKETS * sizeof(*all));
	/*
	 * command latency per cmd_op: issue to done() where it completes through done(),
	 * else the time in the handler, which is then the whole life
	 */
	for (int s = 0; s < tracer_nr_handlers(t); s++) {
		for (int opi = 0; opi < IOUCMD_MAX_OPS; opi++) {
			struct hist_summary hs;
			uint32_t op;

			if (!tracer_op(t, s, opi, &op))
				continue;
			if (tracer_hist(t, s, opi, IOUCMD_LAT_ISSUE_DONE, b))
				continue;
			hist_summarize(b, &hs);
			if (!hs.count && tracer_hist(t, s, opi, IOUCMD_LAT_HANDLER, b))
				continue;
			for (int i = 0; i < IOUCMD_HIST_BUCKETS; i++)
				all[i] += b[i];
		}
	}
	free(b);
	return 0;
}

void report_put_latency(struct json_object *o, const uint64_t *hist)
{
	struct hist_summary s;

	hist_summarize(hist, &s);
	json_object_object_add(o, "latency.count", json_object_new_uint64(s.count));
	json_object_object_add(o, "latency.p50", json_object_new_double(s.p50));
	json_object_object_add(o, "latency.p90", json_object_new_double(s.p90));
	json_object_object_add(o, "latency.p99", json_object_new_double(s.p99));
	json_object_object_add(o, "latency.p999", json_object_new_double(s.p999));
	json_object_object_add(o, "latency.max", json_object_new_double(s.max));
}

struct json_object *report_totals(struct tracer *t)
{
	struct json_object *o = json_object_new_object();
	struct ioucmd_counters sum = { 0 }, c;
	uint64_t *all = calloc(IOUCMD_HIST_BUCKETS, sizeof(*all));
	uint64_t violations = 0;
	char key[96];

	for (int s = 0; s < tracer_nr_handlers(t); s++) {
		if (tracer_counters(t, s, &c))
			continue;
		for (size_t i = 0; i < sizeof(c) / sizeof(__u64); i++)
			((__u64 *)&sum)[i] += ((__u64 *)&c)[i];	/* all members are __u64 */
	}
	add_u64(o, "issued", sum.issued);
	add_u64(o, "queued", sum.queued);
	add_u64(o, "sync_returns", sum.sync_returns);
	add_u64(o, "eagain", sum.eagain);
	add_u64(o, "cancel_calls", sum.cancel_calls);
	add_u64(o, "done", sum.done);
	/* a command completes once: by returning (not -EIOCBQUEUED/-EAGAIN) or by done() */
	add_u64(o, "completed", sum.sync_returns + sum.done);
	add_u64(o, "bpf_cqes", sum.cqes);
	add_u64(o, "untracked", sum.untracked + sum.inflight_full);
	add_u64(o, "lost_events", sum.lost_events);
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++) {
		snprintf(key, sizeof(key), "violations.%s", ioucmd_rule_name(r));
		add_u64(o, key, sum.violations[r]);
		violations += sum.violations[r];
	}
	add_u64(o, "violations", violations);
	if (all && !report_latency_hist(t, all))
		report_put_latency(o, all);
	free(all);
	return o;
}

int report_lookup(void *totals, const char *field, double *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(totals, field, &v))
		return 0;
	*out = json_object_get_double(v);
	return 1;
}
