// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTML rendering of a report: one self-contained page (no scripts, no external files) a
 * person opens from a CI artifact. Per scenario: the verdict, every check, the violations with
 * their stacks, latency histograms and percentiles as inline SVG, and the scenario's source.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "names.h"
#include "render.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* a cmd_op by its name or _IOC parts, with its number */
static void cmd_op_html(FILE *f, uint32_t cmd_op)
{
	char op[48];

	esc(f, cmd_op_str(cmd_op, op, sizeof(op)));
	fprintf(f, " (0x%x)", cmd_op);
}

static void fmt_ns(double ns, char *buf, size_t len)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
}

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;"
	"text-align:left;vertical-align:top}th{background:#f4f4f4}"
	".pass{color:#176c2f;font-weight:600}.fail{color:#b00020;font-weight:600}"
	".skip{color:#8a6d00;font-weight:600}pre{background:#f7f7f7;padding:8px;overflow:auto}"
	".violation{border-left:4px solid #b00020;padding:4px 12px;margin:1em 0;background:#fff5f5}"
	"svg text{font:11px sans-serif}";

/* the checks' tally; *failed gets the failures */
static void count_checks(struct json_object *checks, int *passed, int *failed, int *skipped)
{
	*passed = *failed = *skipped = 0;
	for (size_t i = 0; checks && i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);

		if (json_object_object_get_ex(c, "skip", NULL))
			++*skipped;
		else if (json_object_get_boolean(json_object_object_get(c, "ok")))
			++*passed;
		else
			++*failed;
	}
}

/* folded, and open where something failed: a long list of passes is not what one looks for */
static void checks_table(FILE *f, struct json_object *checks)
{
	int passed, failed, skipped;

	count_checks(checks, &passed, &failed, &skipped);
	fprintf(f, "<details%s><summary>%d checks: %d passed, %d failed, %d skipped</summary>\n",
		failed ? " open" : "", passed + failed + skipped, passed, failed, skipped);
	fputs("<table><tr><th>check</th><th>result</th><th>detail</th></tr>\n", f);
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i), *sk;
		bool ok = json_object_get_boolean(json_object_object_get(c, "ok"));
		bool skipped = json_object_object_get_ex(c, "skip", &sk);

		fputs("<tr><td>", f);
		esc(f, render_str(c, "name"));
		fprintf(f, "</td><td class=\"%s\">%s</td><td>", skipped ? "skip" : ok ? "pass" : "fail",
			skipped ? "skip" : ok ? "pass" : "FAIL");
		esc(f, skipped ? json_object_get_string(sk) : render_str(c, "detail"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></details>\n", f);
}

static void stack(FILE *f, struct json_object *v, const char *key, const char *title)
{
	struct json_object *s = json_object_object_get(v, key);

	if (!s || !json_object_array_length(s))
		return;
	fprintf(f, "<div>%s:</div><pre>", title);
	for (size_t i = 0; i < json_object_array_length(s); i++) {
		esc(f, json_object_get_string(json_object_array_get_idx(s, i)));
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

static void violations(FILE *f, struct json_object *list)
{
	size_t n = list ? json_object_array_length(list) : 0;

	fprintf(f, "<h3>Violations: %zu</h3>\n", n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		static const char *const fields[] = {
			"handler", "cmd", "cmd_op", "pid", "comm", "user_data", "res", "res2",
			"completions", "issue_flags", "flags_seen", "flags_expected", "context", "age_ns",
		};

		fputs("<div class=\"violation\"><b>", f);
		esc(f, render_str(v, "rule"));
		fputs("</b><table>", f);
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			struct json_object *x;

			if (!json_object_object_get_ex(v, fields[k], &x))
				continue;
			fprintf(f, "<tr><th>%s</th><td>", fields[k]);
			if (!strcmp(fields[k], "cmd_op"))	/* as drivers define them: _IOWR(...) */
				cmd_op_html(f, (uint32_t)json_object_get_int64(x));
			else
				esc(f, json_object_get_string(x));
			fputs("</td></tr>", f);
		}
		fputs("</table>\n", f);
		stack(f, v, "stack", "kernel stack");
		stack(f, v, "first_stack", "first completion's stack");
		fputs("</div>\n", f);
	}
}

/* bars of a histogram's buckets, folded into powers of two, log-scaled x */
static void histogram_svg(FILE *f, struct json_object *h)
{
	struct json_object *buckets = json_object_object_get(h, "buckets");
	double rows[64] = { 0 }, top = 0;
	int first = 64, last = -1, w = 640, bh = 14;
	char a[32], b[32];

	for (size_t i = 0; buckets && i < json_object_array_length(buckets); i++) {
		struct json_object *p = json_object_array_get_idx(buckets, i);
		double lo = json_object_get_double(json_object_array_get_idx(p, 0));
		double cnt = json_object_get_double(json_object_array_get_idx(p, 1));
		int r = lo >= 1 ? (int)floor(log2(lo)) : 0;

		rows[r] += cnt;
	}
	for (int r = 0; r < 64; r++) {
		if (!rows[r])
			continue;
		first = r < first ? r : first;
		last = r;
		top = rows[r] > top ? rows[r] : top;
	}
	if (last < 0)
		return;
	fprintf(f, "<svg class=\"hist\" width=\"%d\" height=\"%d\" role=\"img\">\n", w + 220,
		(last - first + 1) * bh + 10);
	for (int r = first; r <= last; r++) {
		int y = (r - first) * bh + 5, len = (int)(rows[r] / top * w);

		fmt_ns(r ? pow(2, r) : 0, a, sizeof(a));
		fmt_ns(pow(2, r + 1), b, sizeof(b));
		fprintf(f, "<text x=\"0\" y=\"%d\">%s - %s</text>", y + 10, a, b);
		fprintf(f, "<rect x=\"140\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b6fb6\"/>",
			y, len, bh - 3);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%.0f</text>\n", 145 + len, y + 10, rows[r]);
	}
	fputs("</svg>\n", f);
}

/*
 * p50 .. max as points on a log axis. Close percentiles would draw their labels on top of each
 * other: each label takes the first of five rows (two above the axis, three below: one per
 * label) where it clears the labels already there, by a width estimated on the generous side.
 */
#define PCT_ROWS 5
static void percentile_svg(FILE *f, struct json_object *h)
{
	static const char *const keys[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns" };
	static const char *const names[] = { "p50", "p90", "p99", "p99.9", "max" };
	static const int row_y[PCT_ROWS] = { 14, 70, 28, 84, 98 }, axis_y = 45;
	double lo = 1e18, hi = 0, v[5];
	int w = 640, row_end[PCT_ROWS];
	char buf[32], label[48];

	for (int r = 0; r < PCT_ROWS; r++)
		row_end[r] = -1000;
	for (int i = 0; i < 5; i++) {
		v[i] = render_num(h, keys[i]);
		if (v[i] > 0) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	if (hi <= 0)
		return;
	lo = pow(10, floor(log10(lo)));
	hi = pow(10, ceil(log10(hi)));
	if (hi <= lo)
		hi = lo * 10;
	/* room right of the axis for the last label ("max 36.86 us" starts 12 px left of its point) */
	fprintf(f, "<svg class=\"pct\" width=\"%d\" height=\"108\" role=\"img\">\n", w + 160);
	fprintf(f, "<line x1=\"20\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", axis_y,
		w + 20, axis_y);
	for (int i = 0; i < 5; i++) {
		int x, start, width, r;

		if (v[i] <= 0)
			continue;
		x = 20 + (int)((log10(v[i]) - log10(lo)) / (log10(hi) - log10(lo)) * w);
		fmt_ns(v[i], buf, sizeof(buf));
		snprintf(label, sizeof(label), "%s %s", names[i], buf);
		start = x - 12;
		width = 8 * (int)strlen(label);	/* 11 px sans-serif: under 7 px a character */
		for (r = 0; r < PCT_ROWS - 1 && start < row_end[r] + 6; r++)
			;
		row_end[r] = start + width;
		fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"#b6503b\"/>"
			"<text x=\"%d\" y=\"%d\">", x, axis_y, start, row_y[r]);
		esc(f, label);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

static void latency(FILE *f, struct json_object *handlers)
{
	for (size_t i = 0; handlers && i < json_object_array_length(handlers); i++) {
		struct json_object *h = json_object_array_get_idx(handlers, i);
		struct json_object *lat = json_object_object_get(h, "latency");

		for (size_t j = 0; lat && j < json_object_array_length(lat); j++) {
			struct json_object *l = json_object_array_get_idx(lat, j);
			char p50[32], p99[32];

			fmt_ns(render_num(l, "p50_ns"), p50, sizeof(p50));
			fmt_ns(render_num(l, "p99_ns"), p99, sizeof(p99));
			fputs("<h3>Latency: ", f);
			esc(f, render_str(h, "handler"));
			fputs(" cmd_op ", f);
			cmd_op_html(f, (uint32_t)render_num(l, "cmd_op"));
			fprintf(f, ", %s</h3><p>%.0f commands, p50 %s, p99 %s</p>\n",
				render_str(l, "kind"), render_num(l, "count"), p50, p99);
			histogram_svg(f, l);
			percentile_svg(f, l);
		}
	}
}

/* per handler: what the tracer counted */
static void counters_table(FILE *f, struct json_object *handlers)
{
	static const char *const cols[] = { "issued", "queued", "sync_returns", "eagain", "done",
					     "cqes", "untracked", "lost_events" };

	if (!handlers || !json_object_array_length(handlers))
		return;
	fputs("<h3>Counts</h3><table><tr><th>handler</th>", f);
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		fprintf(f, "<th>%s</th>", cols[k]);
	fputs("<th>violations</th></tr>\n", f);
	for (size_t i = 0; i < json_object_array_length(handlers); i++) {
		struct json_object *h = json_object_array_get_idx(handlers, i);
		struct json_object *c = json_object_object_get(h, "counters"), *v;
		double total = 0;

		fputs("<tr><td>", f);
		esc(f, render_str(h, "handler"));
		fputs("</td>", f);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			fprintf(f, "<td>%.0f</td>", render_num(c, cols[k]));
		if (json_object_object_get_ex(c, "violations", &v)) {
			json_object_object_foreach(v, rule, n) {
				(void)rule;
				total += json_object_get_double(n);
			}
		}
		fprintf(f, "<td class=\"%s\">%.0f</td></tr>\n", total ? "fail" : "pass", total);
	}
	fputs("</table>\n", f);
}

static void scenario(FILE *f, struct json_object *s, int index)
{
	const char *result = render_str(s, "result");
	struct json_object *src;

	fprintf(f, "<h2 id=\"s%d\">", index);
	if (*render_str(s, "file")) {
		esc(f, render_str(s, "file"));
		fprintf(f, " &mdash; <span class=\"%s\">%s</span></h2>\n", result, result);
	} else {
		/* a trace report: no scenario file, no verdict but its violations */
		fputs("ioucmd trace, backend ", f);
		esc(f, render_str(s, "backend"));
		fputs("</h2>\n", f);
	}
	if (*render_str(s, "description")) {
		fputs("<p>", f);
		esc(f, render_str(s, "description"));
		fputs("</p>\n", f);
	}
	if (json_object_object_get(s, "checks"))
		checks_table(f, json_object_object_get(s, "checks"));
	violations(f, json_object_object_get(s, "violations"));
	counters_table(f, json_object_object_get(s, "handlers"));
	latency(f, json_object_object_get(s, "handlers"));
	if (json_object_object_get_ex(s, "source", &src)) {
		fputs("<h3>Scenario source</h3><pre>", f);
		esc(f, json_object_get_string(src));
		fputs("</pre>\n", f);
	}
}

/* each latency entry of each handler of one scenario (or trace) as a summary row */
static void summary_latency_rows(FILE *f, struct json_object *s, int index)
{
	struct json_object *handlers = json_object_object_get(s, "handlers");

	for (size_t i = 0; handlers && i < json_object_array_length(handlers); i++) {
		struct json_object *h = json_object_array_get_idx(handlers, i);
		struct json_object *lat = json_object_object_get(h, "latency");

		for (size_t j = 0; lat && j < json_object_array_length(lat); j++) {
			struct json_object *l = json_object_array_get_idx(lat, j);
			char p50[32], p99[32], max[32];

			fmt_ns(render_num(l, "p50_ns"), p50, sizeof(p50));
			fmt_ns(render_num(l, "p99_ns"), p99, sizeof(p99));
			fmt_ns(render_num(l, "max_ns"), max, sizeof(max));
			fprintf(f, "<tr><td><a href=\"#s%d\">", index);
			esc(f, *render_str(s, "file") ? render_str(s, "file") : "trace");
			fputs("</a></td><td>", f);
			esc(f, render_str(h, "handler"));
			fputs("</td><td>", f);
			cmd_op_html(f, (uint32_t)render_num(l, "cmd_op"));
			fputs("</td><td>", f);
			esc(f, render_str(l, "kind"));
			fprintf(f, "</td><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				render_num(l, "count"), p50, p99, max);
		}
	}
}

/* the whole run first: verdicts, violations by rule, each handler's latency */
static void summary(FILE *f, struct json_object *list, struct json_object *report)
{
	struct json_object *rules = json_object_new_object();
	size_t n = list ? json_object_array_length(list) : 1;
	bool any = false;

	fputs("<h2>Summary</h2>\n", f);
	if (list) {
		fputs("<table><tr><th>scenario</th><th>result</th><th>checks</th>"
		      "<th>violations</th></tr>\n", f);
		for (size_t i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(list, i);
			struct json_object *checks = json_object_object_get(s, "checks");
			const char *result = render_str(s, "result");
			int passed, failed, skipped;

			count_checks(checks, &passed, &failed, &skipped);
			fprintf(f, "<tr><td><a href=\"#s%zu\">", i);
			esc(f, render_str(s, "file"));
			fprintf(f, "</a></td><td class=\"%s\">%s</td><td>%d passed, %d failed, "
				"%d skipped</td><td>%zu</td></tr>\n", result, result, passed, failed,
				skipped, json_object_array_length(json_object_object_get(s, "violations")));
		}
		fputs("</table>\n", f);
	}
	/* violations by rule, from every violation record */
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = list ? json_object_array_get_idx(list, i) : report;
		struct json_object *vs = json_object_object_get(s, "violations");

		for (size_t j = 0; vs && j < json_object_array_length(vs); j++) {
			const char *rule = render_str(json_object_array_get_idx(vs, j), "rule");
			struct json_object *c;
			int64_t was = json_object_object_get_ex(rules, rule, &c) ? json_object_get_int64(c) : 0;

			json_object_object_add(rules, rule, json_object_new_int64(was + 1));
		}
	}
	fputs("<h3>Violations by rule</h3>\n", f);
	json_object_object_foreach(rules, rule, count) {
		fputs(any ? "" : "<table><tr><th>rule</th><th>violations</th></tr>\n", f);
		any = true;
		fputs("<tr><td>", f);
		esc(f, rule);
		fprintf(f, "</td><td class=\"fail\">%lld</td></tr>\n",
			(long long)json_object_get_int64(count));
	}
	fputs(any ? "</table>\n" : "<p class=\"pass\">none</p>\n", f);
	json_object_put(rules);
	fputs("<h3>Latency by handler and cmd_op</h3>\n<table><tr><th>scenario</th><th>handler</th>"
	      "<th>cmd_op</th><th>kind</th><th>commands</th><th>p50</th><th>p99</th><th>max</th>"
	      "</tr>\n", f);
	for (size_t i = 0; i < n; i++)
		summary_latency_rows(f, list ? json_object_array_get_idx(list, i) : report, (int)i);
	fputs("</table>\n", f);
}

int render_html(struct json_object *report, FILE *f)
{
	struct json_object *list = json_object_object_get(report, "scenarios");

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>ioucmd report</title><style>%s</style></head><body>\n", css);
	fputs("<h1>ioucmd report</h1>\n<p>kernel ", f);
	esc(f, json_object_is_type(json_object_object_get(report, "kernel"), json_type_string)
	       ? render_str(report, "kernel")
	       : render_str(json_object_object_get(report, "kernel"), "release"));
	fputs(", schema ", f);
	esc(f, render_str(report, "schema"));
	fputs("</p>\n", f);
	summary(f, list, report);
	if (list) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			scenario(f, json_object_array_get_idx(list, i), (int)i);
	} else {
		/* a trace report: one live run */
		scenario(f, report, 0);
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
