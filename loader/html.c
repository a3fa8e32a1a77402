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

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static double num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
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

static void checks_table(FILE *f, struct json_object *checks)
{
	fputs("<table><tr><th>check</th><th>result</th><th>detail</th></tr>\n", f);
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i), *sk;
		bool ok = json_object_get_boolean(json_object_object_get(c, "ok"));
		bool skipped = json_object_object_get_ex(c, "skip", &sk);

		fputs("<tr><td>", f);
		esc(f, str(c, "name"));
		fprintf(f, "</td><td class=\"%s\">%s</td><td>", skipped ? "skip" : ok ? "pass" : "fail",
			skipped ? "skip" : ok ? "pass" : "FAIL");
		esc(f, skipped ? json_object_get_string(sk) : str(c, "detail"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
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
		esc(f, str(v, "rule"));
		fputs("</b><table>", f);
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			struct json_object *x;

			if (!json_object_object_get_ex(v, fields[k], &x))
				continue;
			fprintf(f, "<tr><th>%s</th><td>", fields[k]);
			if (!strcmp(fields[k], "cmd_op"))	/* as drivers define them: _IOWR(...) */
				fprintf(f, "0x%x", (unsigned int)json_object_get_int64(x));
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

/* p50 .. max as points on a log axis */
static void percentile_svg(FILE *f, struct json_object *h)
{
	static const char *const keys[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns" };
	static const char *const names[] = { "p50", "p90", "p99", "p99.9", "max" };
	double lo = 1e18, hi = 0, v[5];
	int w = 640;
	char buf[32];

	for (int i = 0; i < 5; i++) {
		v[i] = num(h, keys[i]);
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
	fprintf(f, "<svg class=\"pct\" width=\"%d\" height=\"60\" role=\"img\">\n", w + 80);
	fprintf(f, "<line x1=\"20\" y1=\"30\" x2=\"%d\" y2=\"30\" stroke=\"#888\"/>\n", w + 20);
	for (int i = 0; i < 5; i++) {
		int x;

		if (v[i] <= 0)
			continue;
		x = 20 + (int)((log10(v[i]) - log10(lo)) / (log10(hi) - log10(lo)) * w);
		fmt_ns(v[i], buf, sizeof(buf));
		fprintf(f, "<circle cx=\"%d\" cy=\"30\" r=\"5\" fill=\"#b6503b\"/>"
			"<text x=\"%d\" y=\"%d\">%s %s</text>\n", x, x - 12, i % 2 ? 52 : 18, names[i], buf);
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

			fmt_ns(num(l, "p50_ns"), p50, sizeof(p50));
			fmt_ns(num(l, "p99_ns"), p99, sizeof(p99));
			fputs("<h3>Latency: ", f);
			esc(f, str(h, "handler"));
			fprintf(f, " cmd_op 0x%x, %s</h3><p>%.0f commands, p50 %s, p99 %s</p>\n",
				(unsigned int)num(l, "cmd_op"), str(l, "kind"), num(l, "count"), p50, p99);
			histogram_svg(f, l);
			percentile_svg(f, l);
		}
	}
}

static void scenario(FILE *f, struct json_object *s)
{
	const char *result = str(s, "result");
	struct json_object *src;

	fputs("<h2>", f);
	esc(f, str(s, "file"));
	fprintf(f, " &mdash; <span class=\"%s\">%s</span></h2>\n", result, result);
	if (*str(s, "description")) {
		fputs("<p>", f);
		esc(f, str(s, "description"));
		fputs("</p>\n", f);
	}
	if (json_object_object_get(s, "checks"))
		checks_table(f, json_object_object_get(s, "checks"));
	violations(f, json_object_object_get(s, "violations"));
	latency(f, json_object_object_get(s, "handlers"));
	if (json_object_object_get_ex(s, "source", &src)) {
		fputs("<h3>Scenario source</h3><pre>", f);
		esc(f, json_object_get_string(src));
		fputs("</pre>\n", f);
	}
}

int render_html(struct json_object *report, FILE *f)
{
	struct json_object *list = json_object_object_get(report, "scenarios");

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>ioucmd report</title><style>%s</style></head><body>\n", css);
	fputs("<h1>ioucmd report</h1>\n<p>kernel ", f);
	esc(f, json_object_is_type(json_object_object_get(report, "kernel"), json_type_string)
	       ? str(report, "kernel")
	       : str(json_object_object_get(report, "kernel"), "release"));
	fputs(", schema ", f);
	esc(f, str(report, "schema"));
	fputs("</p>\n", f);
	if (list) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			scenario(f, json_object_array_get_idx(list, i));
	} else {
		/* a trace report: one live run */
		scenario(f, report);
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
