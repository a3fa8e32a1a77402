// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, what a run shows: the tables on stdout, bench.json (schema ioucmd-bench/2,
 * reports/SCHEMA.md) and bench.svg. overhead = the median over rounds of ns/cmd - untraced's ns/cmd
 * in the same round (interleaved on a wall clock, so drift cancels); "x floor" divides it by the
 * floor's overhead (the targets are set against it), "x floor+clock" by the overhead of the
 * floor with the two clock reads every latency tracer pays.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <stdlib.h>
#include "bench.h"


static double overhead(const struct row *r, enum config c)
{
	return r->overhead[c];
}

/* overhead of c over the overhead of base, if both ran and base costs something */
static bool ratio(const struct row *r, enum config c, enum config base, double *out)
{
	if (!r->ran[c] || !r->ran[base] || !r->ran[CF_UNTRACED] || overhead(r, base) <= 0)
		return false;
	*out = overhead(r, c) / overhead(r, base);
	return true;
}

static void print_ratio(const struct row *r, enum config c, enum config base)
{
	double x;

	if (ratio(r, c, base, &x))
		printf(" %7.2f", x);
	else if (r->failed[c][0] || (r->ran[c] && r->failed[base][0]))
		printf(" %7s", "FAIL");
	else
		printf(" %7s", "-");
}

/* the x-floor target the tracer must keep on this row */
static double target(const struct bench *b, const struct row *r)
{
	if (!b->fentry)
		return 1.5;
	return r->async ? 1.6 : 1.3;
}

static void table_ns(const struct bench *b)
{
	static const char *const head[CONFIGS] = { "untraced", "floor", "fl+clock", "ioucmd",
						   "io-all", "+events", "bpftrace" };

	printf("\nns per command, median of %u rounds (%s clock)\n%-30s", b->rounds,
	       clock_names[b->clock], "row");
	for (int c = 0; c < CONFIGS; c++)
		printf(" %9s", head[c]);
	printf("\n");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];

		printf("%-30s", r->name);
		for (int c = 0; c < CONFIGS; c++) {
			if (r->ran[c])
				printf(" %9.0f", r->ns[c]);
			else
				printf(" %9s", r->failed[c][0] ? "FAILED" : "-");
		}
		printf("\n");
	}
}

static void table_ratios(const struct bench *b)
{
	printf("\noverhead over the floors (x fl: over empty programs; x fc: over empty programs "
	       "with two clock reads)\n%-30s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %6s\n", "row",
	       "io x fl", "io x fc", "all xfl", "all xfc", "all/io", "ev x fl", "bt x fl", "bt x fc",
	       "io/bt", "fc x fl", "target");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];
		double x;

		printf("%-30s", r->name);
		print_ratio(r, CF_IOUCMD, CF_FLOOR);
		print_ratio(r, CF_IOUCMD, CF_FLOOR_CLOCK);
		print_ratio(r, CF_IOUCMD_ALL, CF_FLOOR);
		print_ratio(r, CF_IOUCMD_ALL, CF_FLOOR_CLOCK);
		print_ratio(r, CF_IOUCMD_ALL, CF_IOUCMD);
		print_ratio(r, CF_IOUCMD_EVENTS, CF_FLOOR);
		print_ratio(r, CF_BPFTRACE, CF_FLOOR);
		print_ratio(r, CF_BPFTRACE, CF_FLOOR_CLOCK);
		print_ratio(r, CF_IOUCMD, CF_BPFTRACE);
		print_ratio(r, CF_FLOOR_CLOCK, CF_FLOOR);
		printf(" %6.1f", target(b, r));
		if (ratio(r, CF_IOUCMD, CF_FLOOR, &x))
			printf(" %s", x <= target(b, r) ? "kept" : "missed");
		if (r->ran[CF_IOUCMD] && !r->counts_ok)
			printf("  (counts not exact!)");
		printf("\n");
	}
}

/* the compact line per row: each ioucmd program's ns per call */
static void table_progs(const struct bench *b, bool verbose)
{
	printf("\nwhere ioucmd's time goes (kernel BPF statistics, ns per call)\n");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];

		printf("%-30s", r->name);
		for (int p = 0; p < r->nr_progs[CF_IOUCMD]; p++)
			printf(" %s %.0f", r->progs[CF_IOUCMD][p].name,
			       r->progs[CF_IOUCMD][p].ns_per_call);
		printf("\n");
	}
	if (!verbose)
		return;
	printf("\nper program: calls per command, ns per call, size (xlated instructions, jited "
	       "bytes)\n%-30s %-13s %-24s %9s %9s %9s %8s %7s\n", "row", "config", "program",
	       "runs", "calls/cmd", "ns/call", "xlated", "jited");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];

		for (int c = 0; c < CONFIGS; c++) {
			for (int p = 0; p < r->nr_progs[c]; p++) {
				const struct prog_cost *pc = &r->progs[c][p];

				printf("%-30s %-13s %-24s %9llu %9.2f %9.0f %8u %7u\n", r->name,
				       config_names[c], pc->name, (unsigned long long)pc->run_cnt,
				       pc->calls_per_cmd, pc->ns_per_call, pc->xlated_insns,
				       pc->jited_bytes);
			}
		}
	}
}

void output_tables(const struct bench *b, bool verbose)
{
	table_ns(b);
	table_ratios(b);
	table_progs(b, verbose);
	for (int c = 0; c < CONFIGS; c++)
		if (b->not_run[c][0])
			printf("%s: not run: %s\n", config_names[c], b->not_run[c]);
	if (b->bpftrace_resends)
		printf("bpftrace missed %u SIGINTs (Debian 12's bpftrace 0.17 polls on when one lands "
		       "outside epoll_wait): each sent again\n", b->bpftrace_resends);
	printf("BPF map memory (memlock): ioucmd %.1f MiB, ioucmd-all %.1f MiB, "
	       "ioucmd --events %.1f MiB\n", b->map_bytes[CF_IOUCMD] / 1048576.0,
	       b->map_bytes[CF_IOUCMD_ALL] / 1048576.0, b->map_bytes[CF_IOUCMD_EVENTS] / 1048576.0);
	printf("\nfloor: empty %s;\nfloor+clock: the same with bpf_ktime_get_ns() at the start and "
	       "the end of each command\n(the least any per-command latency tracer pays);\n"
	       "targets: sync <= 1.3x, async <= 1.6x, tracepoint <= 1.5x floor; io/bt: ioucmd's "
	       "overhead / bpftrace's, target <= 0.33\n",
	       b->fentry ? "fentry+fexit on the handler (+ fentry on done() for async rows)"
			 : "tp_btf programs on io_uring_submit_req and io_uring_complete");
	if (b->failures) {
		printf("\n%d configuration%s FAILED:\n", b->failures, b->failures == 1 ? "" : "s");
		for (int i = 0; i < b->nr_rows; i++)
			for (int c = 0; c < CONFIGS; c++)
				if (b->rows[i].failed[c][0])
					printf("  %s, %s: %s\n", b->rows[i].name, config_names[c],
					       b->rows[i].failed[c]);
	}
}

static struct json_object *progs_json(const struct prog_cost *p, int n)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "program", json_object_new_string(p[i].name));
		json_object_object_add(x, "run_cnt", json_object_new_uint64(p[i].run_cnt));
		json_object_object_add(x, "calls_per_cmd", json_object_new_double(p[i].calls_per_cmd));
		json_object_object_add(x, "ns_per_call", json_object_new_double(p[i].ns_per_call));
		json_object_object_add(x, "xlated_insns", json_object_new_uint64(p[i].xlated_insns));
		json_object_object_add(x, "jited_bytes", json_object_new_uint64(p[i].jited_bytes));
		json_object_array_add(a, x);
	}
	return a;
}

static void add_ratio(struct json_object *o, const char *key, const struct row *r, enum config c,
		      enum config base)
{
	double x;

	if (ratio(r, c, base, &x))
		json_object_object_add(o, key, json_object_new_double(x));
}

static struct json_object *row_json(const struct bench *b, const struct row *r)
{
	struct json_object *o = json_object_new_object(), *failed = json_object_new_object();

	json_object_object_add(o, "row", json_object_new_string(r->name));
	json_object_object_add(o, "handler", json_object_new_string(r->handler));
	json_object_object_add(o, "async", json_object_new_boolean(r->async));
	json_object_object_add(o, "target_x_floor", json_object_new_double(target(b, r)));
	json_object_object_add(o, "seconds", json_object_new_double(r->secs));
	for (int c = 0; c < CONFIGS; c++) {
		struct json_object *x;

		if (r->failed[c][0])
			json_object_object_add(failed, config_names[c],
					       json_object_new_string(r->failed[c]));
		if (!r->ran[c])
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "ns_per_cmd", json_object_new_double(r->ns[c]));
		if (c != CF_UNTRACED && r->ran[CF_UNTRACED]) {
			json_object_object_add(x, "overhead_ns",
					       json_object_new_double(overhead(r, c)));
			add_ratio(x, "x_floor", r, c, CF_FLOOR);
			if (c != CF_FLOOR)
				add_ratio(x, "x_floor_clock", r, c, CF_FLOOR_CLOCK);
		}
		if (config_has_progs(c)) {
			json_object_object_add(x, "bpf_ns_per_cmd", json_object_new_double(r->prog_ns[c]));
			json_object_object_add(x, "programs", progs_json(r->progs[c], r->nr_progs[c]));
		}
		json_object_object_add(o, config_names[c], x);
	}
	json_object_object_add(o, "failed", failed);
	add_ratio(o, "ioucmd_overhead_over_bpftrace", r, CF_IOUCMD, CF_BPFTRACE);
	add_ratio(o, "ioucmd_all_overhead_over_ioucmd", r, CF_IOUCMD_ALL, CF_IOUCMD);
	json_object_object_add(o, "violations", json_object_new_uint64(r->violations));
	json_object_object_add(o, "untracked", json_object_new_uint64(r->untracked));
	json_object_object_add(o, "lost_events", json_object_new_uint64(r->lost));
	json_object_object_add(o, "counts_exact", json_object_new_boolean(r->counts_ok));
	return o;
}

/* where the numbers come from: CPU, and what the harness says of QEMU and the commit */
static void add_machine(struct json_object *root)
{
	char line[256], *v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(v = strchr(line, ':')))
			continue;
		v[strcspn(v, "\n")] = '\0';
		json_object_object_add(root, "cpu", json_object_new_string(v + 2));
		break;
	}
	if (f)
		fclose(f);
	json_object_object_add(root, "cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	v = getenv("IOUCMD_QEMU");
	json_object_object_add(root, "qemu", json_object_new_string(v ? v : "none (host)"));
	v = getenv("IOUCMD_COMMIT");
	json_object_object_add(root, "commit", json_object_new_string(v ? v : "unknown"));
}

struct json_object *output_json(const struct bench *b)
{
	struct json_object *root = json_object_new_object(), *rows = json_object_new_array();
	struct json_object *mem = json_object_new_object(), *not_run = json_object_new_object();
	struct utsname u;

	json_object_object_add(root, "schema", json_object_new_string("ioucmd-bench/2"));
	if (!uname(&u))
		json_object_object_add(root, "kernel", json_object_new_string(u.release));
	json_object_object_add(root, "backend", json_object_new_string(b->fentry ? "fentry"
									      : "tracepoint"));
	json_object_object_add(root, "clock", json_object_new_string(clock_names[b->clock]));
	json_object_object_add(root, "rounds", json_object_new_int((int)b->rounds));
	json_object_object_add(root, "commands", json_object_new_uint64(b->count));
	json_object_object_add(root, "quick", json_object_new_boolean(b->quick));
	json_object_object_add(root, "watchdog_s", json_object_new_double(b->watchdog_ns / 1e9));
	json_object_object_add(root, "bpftrace_sigint_resent",
			       json_object_new_uint64(b->bpftrace_resends));
	for (int i = 0; i < b->nr_rows; i++)
		json_object_array_add(rows, row_json(b, &b->rows[i]));
	json_object_object_add(root, "rows", rows);
	add_machine(root);
	for (int c = 0; c < CONFIGS; c++) {
		if (b->not_run[c][0])
			json_object_object_add(not_run, config_names[c],
					       json_object_new_string(b->not_run[c]));
		if (config_is_tracer(c) && b->map_bytes[c])
			json_object_object_add(mem, config_names[c],
					       json_object_new_uint64(b->map_bytes[c]));
	}
	json_object_object_add(root, "not_run", not_run);
	json_object_object_add(root, "map_memlock_bytes", mem);
	return root;
}

/* bars of x floor per row and tracer, for the HTML report to embed */
void output_svg(const struct bench *b, const char *path)
{
	static const enum config bars[] = { CF_IOUCMD, CF_IOUCMD_ALL, CF_IOUCMD_EVENTS };
	static const char *const colors[] = { "#3b6fb6", "#6aa84f", "#d98c2b" };
	const int nb = sizeof(bars) / sizeof(bars[0]), h = 18, w = 420;
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n"
		"<style>text{font:11px sans-serif}</style>\n", w + 320, b->nr_rows * nb * h + 40);
	fprintf(f, "<text x=\"230\" y=\"14\">x floor (1 = the cost of empty programs); "
		"blue ioucmd, green ioucmd-all, orange ioucmd --events</text>\n");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];
		int y = 24 + i * nb * h;

		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>\n", y + 14, r->name);
		for (int k = 0; k < nb; k++) {
			double x = 0;
			int len;

			if (!ratio(r, bars[k], CF_FLOOR, &x))
				continue;
			len = (int)(x / 6.0 * w);
			len = len > w ? w : len < 0 ? 0 : len;
			fprintf(f, "<rect x=\"230\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"%d\">%.2f</text>\n", y + k * (h - 2), len, h - 5,
				colors[k], 235 + len, y + k * (h - 2) + 11, x);
		}
	}
	fprintf(f, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" "
		"stroke-dasharray=\"3\"/>\n", 230 + w / 6, 230 + w / 6, b->nr_rows * nb * h + 34);
	fputs("</svg>\n", f);
	fclose(f);
}
