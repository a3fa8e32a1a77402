// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench: what the tracer costs, against floors measured in the same run.
 *
 * Each workload row runs every configuration (bench.h: untraced, floor, floor+clock, ioucmd,
 * ioucmd-all, ioucmd-events, bpftrace) for a number of rounds and keeps the median ns/command of
 * each. How the rounds are laid out depends on the guest's clock:
 *   wall    interleaved: round k of every configuration, then round k + 1, so that drift on a
 *           shared machine hits all of them alike; each configuration attaches and detaches
 *           around each round;
 *   icount  consecutive: a configuration attaches once, runs its rounds back to back and
 *           detaches (QEMU -icount: the clock counts the guest's instructions, so there is no
 *           drift to spread, and loading the tracer or starting bpftrace once per round would
 *           take most of the run). What is measured is the same: ns/command of the row's
 *           workload with exactly that configuration's programs attached.
 * One more round with kernel.bpf_stats_enabled gives each program's run count, time and size.
 * Every configuration of every row runs in a child under the watchdog (watchdog.c): one that
 * makes no progress for --watchdog seconds fails, named, and the bench goes on; the exit status
 * says so at the end. Then: an overload row and latency accuracy (overload.c, accuracy.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "cli.h"
#include "clock.h"
#include "discover.h"
#include "floor.skel.h"
#include "names.h"
#include "tracer.h"

const char *const config_names[CONFIGS] = {
	[CF_UNTRACED] = "untraced", [CF_FLOOR] = "floor", [CF_FLOOR_CLOCK] = "floor+clock",
	[CF_IOUCMD] = "ioucmd", [CF_IOUCMD_ALL] = "ioucmd-all",
	[CF_IOUCMD_EVENTS] = "ioucmd-events", [CF_BPFTRACE] = "bpftrace",
};

const char *const clock_names[CLOCKS] = {
	[CLOCK_WALL] = "wall", [CLOCK_ICOUNT] = "icount", [CLOCK_CPU] = "cpu",
};

int config_by_name(const char *name)
{
	for (int c = 0; c < CONFIGS; c++)
		if (!strcmp(config_names[c], name))
			return c;
	return -1;
}

#define DEFAULT_ROUNDS		5
#define DEFAULT_COUNT		20000
#define QUICK_ROUNDS		3
#define QUICK_COUNT		5000
/*
 * under icount a round's ns are guest instructions, the same from round to round but for
 * interrupts: fewer, shorter rounds say as much, and a full guest run stays near 20 minutes
 */
#define ICOUNT_ROUNDS		3
#define ICOUNT_COUNT		10000
#define DEFAULT_WATCHDOG_S	60
#define SECTION_JSON_MAX	65536

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *in, unsigned int n)
{
	double v[BENCH_ROUNDS_MAX];

	memcpy(v, in, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void add_row(struct bench *b, const char *handler, const char *device, uint32_t cmd_op,
		    bool async, unsigned int qd, unsigned int batch, unsigned int threads)
{
	struct row *r = &b->rows[b->nr_rows++];
	const char *what = strrchr(device, '/');

	memset(r, 0, sizeof(*r));
	r->handler = handler;
	r->device = device;
	r->cmd_op = cmd_op;
	r->async = async;
	r->qd = qd;
	r->batch = batch;
	r->threads = threads;
	snprintf(r->name, sizeof(r->name), "%s %s qd%u b%u t%u", what ? what + 1 : device,
		 cmd_op_name(cmd_op) && cmd_op ? cmd_op_name(cmd_op) : "cmd",
		 qd, batch, threads);
}

/* the rows; quick: one synchronous row per device, and the reference driver's queued one */
static void plan(struct bench *b)
{
	static struct handler_info nvme;	/* the rows keep its name */
	struct stat st;

	add_row(b, "uring_cmd_null", "/dev/null", 0, false, 1, 1, 1);
	if (!b->quick)
		add_row(b, "uring_cmd_null", "/dev/null", 0, false, 32, 1, 1);
	/*
	 * a real driver nobody here wrote (vm/run --nvme): its handler is the multipath head's
	 * or the namespace's, as the kernel was configured (discover.c knows both)
	 */
	if (!b->quick && b->fentry && !stat(BENCH_NVME_DEV, &st) &&
	    discover_device_handlers(BENCH_NVME_DEV, &nvme, 1) == 1) {
		for (int fio = 0; fio < 2; fio++) {
			for (unsigned int qd = 1; qd <= 32; qd *= 32) {
				if (fio && !fio_available())
					break;
				add_row(b, nvme.name, BENCH_NVME_DEV, 0, true, qd, 1, 1);
				b->rows[b->nr_rows - 1].nvme = true;
				b->rows[b->nr_rows - 1].fio = fio;
				snprintf(b->rows[b->nr_rows - 1].name, sizeof(b->rows[0].name),
					 "ng0n1 read4k qd%u %s", qd, fio ? "fio" : "ioucmd");
			}
		}
	}
	if (!b->fentry || stat(IOUCMD_REF_DEVPATH, &st))
		return;
	for (int tw = 0; tw < 2; tw++) {
		uint32_t op = tw ? IOUCMD_REF_NOP_TW : IOUCMD_REF_NOP;

		if (!b->quick)
			add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 1, 1, 1);
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 1, 1);
		if (b->quick)
			continue;
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 16, 1);
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 1, 2);
	}
	if (b->quick)
		return;
	/* scale: the cost per command must stay flat with depth (qd32 b16 is a row above) */
	for (unsigned int qd = 8; qd <= 512; qd *= 4)
		if (qd != 32)
			add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, IOUCMD_REF_NOP_TW, true,
				qd, qd < 16 ? qd : 16, 1);
}

/* --only: the rows whose name holds one of the comma-separated parts */
static void keep_rows(struct bench *b, const char *only)
{
	int k = 0;

	for (int i = 0; i < b->nr_rows; i++) {
		char list[256], *save = NULL;
		bool keep = false;

		snprintf(list, sizeof(list), "%s", only);
		for (char *p = strtok_r(list, ",", &save); p && !keep; p = strtok_r(NULL, ",", &save))
			keep = strstr(b->rows[i].name, p) != NULL;
		if (keep)
			b->rows[k++] = b->rows[i];
	}
	b->nr_rows = k;
}

/* the configurations' names, comma-separated */
static const char *config_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = 0; c < CONFIGS && used < len; c++)
		used += snprintf(buf + used, len - used, "%s%s", c ? ", " : "", config_names[c]);
	return buf;
}

static int parse_configs(struct bench *b, const char *arg)
{
	char list[256], *save = NULL;

	memset(b->want, 0, sizeof(b->want));
	snprintf(list, sizeof(list), "%s", arg);
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int c = config_by_name(p);

		if (c < 0) {
			char names[256];

			cli_err("--configs: no configuration '%s' (%s)", p,
				config_list(names, sizeof(names)));
			return -1;
		}
		b->want[c] = true;
	}
	return 0;
}

/* one configuration of one row, in the watchdog's child */
struct measure_arg {
	const struct bench *b;
	const struct row *r;
	enum config c;
	unsigned int first, n;
	struct sample *s;
};

static int measure_main(void *arg, struct watch *w)
{
	struct measure_arg *a = arg;

	return measure(a->b, a->r, a->c, a->first, a->n, a->s, w, w->err, sizeof(w->err));
}

/* seconds since the bench started */
static double since(const struct bench *b)
{
	return (now_ns() - b->start_ns) / 1e9;
}

/* rounds [first, first + n) of configuration c; on failure the row keeps why */
static int run_config(struct bench *b, int i, enum config c, unsigned int first,
		      unsigned int n, struct sample *s)
{
	struct row *r = &b->rows[i];
	struct measure_arg a = { b, r, c, first, n, s };
	char err[sizeof(r->failed[0]) - 64];
	unsigned int last = first + n - 1;

	/* what runs, as it starts (and when, on the bench's clock): a full run takes many minutes */
	if (first == b->rounds)
		cli_err("row %d/%d: %s: %s, the statistics round (at %.0f s)", i + 1, b->nr_rows,
			r->name, config_names[c], since(b));
	else if (n == 1)
		cli_err("row %d/%d: %s: %s, round %u/%u (at %.0f s)", i + 1, b->nr_rows, r->name,
			config_names[c], first + 1, b->rounds, since(b));
	else
		cli_err("row %d/%d: %s: %s, rounds 1-%u%s (at %.0f s)", i + 1, b->nr_rows, r->name,
			config_names[c], b->rounds,
			last == b->rounds ? " and the statistics round" : "", since(b));
	if (!watchdog_run(measure_main, &a, b->watchdog_ns, err, sizeof(err)))
		return 0;
	snprintf(r->failed[c], sizeof(r->failed[c]), "%s", err);
	b->failures++;
	cli_err("row %d/%d: %s: %s FAILED: %s", i + 1, b->nr_rows, r->name, config_names[c], err);
	return -1;
}

static bool runs(const struct bench *b, enum config c)
{
	return b->want[c] && !b->not_run[c][0];
}

static void run_row(struct bench *b, int i, struct sample *samples)
{
	struct row *r = &b->rows[i];
	uint64_t start = now_ns();

	memset(samples, 0, CONFIGS * sizeof(*samples));
	if (b->clock == CLOCK_ICOUNT) {
		for (int c = 0; c < CONFIGS; c++)
			if (runs(b, c))
				run_config(b, i, c, 0, b->rounds + config_has_progs(c), &samples[c]);
	} else {
		for (unsigned int k = 0; k <= b->rounds; k++)
			for (int c = 0; c < CONFIGS; c++)
				if (runs(b, c) && !r->failed[c][0] &&
				    (k < b->rounds || config_has_progs(c)))
					run_config(b, i, c, k, 1, &samples[c]);
	}
	for (int c = 0; c < CONFIGS; c++) {
		const struct sample *s = &samples[c];

		if (!runs(b, c) || r->failed[c][0])
			continue;
		r->ran[c] = true;
		r->ns[c] = median(s->ns, b->rounds);
		if (runs(b, CF_UNTRACED) && !r->failed[CF_UNTRACED][0]) {
			/* round k against untraced's round k: drift common to both cancels */
			double d[BENCH_ROUNDS_MAX];

			for (unsigned int k = 0; k < b->rounds; k++)
				d[k] = s->ns[k] - samples[CF_UNTRACED].ns[k];
			r->overhead[c] = median(d, b->rounds);
		}
		r->prog_ns[c] = s->prog_ns;
		r->nr_progs[c] = s->nr_progs;
		memcpy(r->progs[c], s->progs, sizeof(s->progs));
		b->bpftrace_resends += s->bpftrace_resends;
		if (!config_is_tracer(c))
			continue;
		if (s->map_bytes)
			b->map_bytes[c] = s->map_bytes;
		r->violations += s->violations;
		r->untracked += s->untracked;
		r->lost += s->lost;
		r->cqes += s->cqes;
		r->completed += s->completed;
	}
	r->counts_ok = r->completed == r->cqes && !r->violations;
	r->secs = (now_ns() - start) / 1e9;
}

/* overload and accuracy, each in a watchdog child that hands its JSON back as text */
struct section_arg {
	struct json_object *(*fn)(bool quick, struct watch *w, char *err, size_t errlen);
	bool quick;
	char *json;
};

static int section_main(void *arg, struct watch *w)
{
	struct section_arg *a = arg;
	struct json_object *o = a->fn(a->quick, w, w->err, sizeof(w->err));

	if (!o)
		return -1;
	snprintf(a->json, SECTION_JSON_MAX, "%s", json_object_to_json_string(o));
	json_object_put(o);
	return 0;
}

static struct json_object *overload(bool quick, struct watch *w, char *err, size_t errlen)
{
	(void)quick;
	return bench_overload(w, err, errlen);
}

static void run_section(struct bench *b, struct json_object *root, const char *key,
			struct json_object *(*fn)(bool, struct watch *, char *, size_t))
{
	struct section_arg a = { fn, b->quick, shared_alloc(SECTION_JSON_MAX) };
	char err[512];

	if (!a.json) {
		cli_err("%s: cannot share memory", key);
		b->failures++;
		return;
	}
	cli_err("%s (at %.0f s)", key, since(b));
	a.json[0] = '\0';
	if (watchdog_run(section_main, &a, b->watchdog_ns, err, sizeof(err))) {
		cli_err("%s FAILED: %s", key, err);
		b->failures++;
		json_object_object_add(root, key, json_object_new_string(err));
	} else {
		json_object_object_add(root, key, json_tokener_parse(a.json));
	}
	shared_free(a.json, SECTION_JSON_MAX);
}

/* fentry where the kernel allows it: the floor on /dev/null's handler; bpftrace installed */
static void probe_kernel(struct bench *b)
{
	struct row null = { .handler = "uring_cmd_null" };
	struct floor_bpf *fl;
	char err[512];

	libbpf_set_print(NULL);	/* the probe may fail: that is its answer */
	fl = floor_open(&null, true, false, err, sizeof(err));
	b->fentry = fl != NULL;
	floor_bpf__destroy(fl);
	if (b->want[CF_BPFTRACE])
		bpftrace_available(b->not_run[CF_BPFTRACE], sizeof(b->not_run[0]));
}

/* whether the tracer follows every handler when none is named */
static void probe_tracer(struct bench *b)
{
	struct tracer_opts to = { .nr_handlers = 0, .stall_timeout_ns = 60000000000ull,
				  .backend = b->fentry ? TRACER_FENTRY : TRACER_TRACEPOINT };
	struct tracer *t;
	char err[512];

	if (!b->want[CF_IOUCMD_ALL] || !b->nr_rows)
		return;
	t = tracer_open(&to, err, sizeof(err));
	if (t)
		tracer_close(t);
	else
		snprintf(b->not_run[CF_IOUCMD_ALL], sizeof(b->not_run[0]),
			 "this tracer does not follow every handler without -H (%.200s)", err);
}

static void usage(FILE *out)
{
	char names[256];

	fprintf(out,
		"usage: ioucmd-bench [-n COMMANDS] [-r ROUNDS] [--quick] [--clock wall|icount|cpu]\n"
		"                    [--only ROW[,ROW...]] [--configs CONFIG[,CONFIG...]]\n"
		"                    [--watchdog SECONDS] [--no-rows] [-v] [-o DIR]\n\n"
		"Measures the tracer's cost per command against untraced runs and floors of empty\n"
		"programs; prints tables and writes DIR/bench.json and DIR/bench.svg. Needs root.\n"
		"Absolute numbers depend on the machine; ratios are the result.\n"
		"  --quick       /dev/null qd1 and the reference driver's NOP and NOP_TW at qd32,\n"
		"                %d rounds of %d commands, no overload or accuracy\n"
		"  --clock       what the guest's clock is (icount: QEMU -icount, vm/run --icount):\n"
		"                icount runs each configuration's rounds back to back, by default\n"
		"                %d rounds of %d commands (default wall: %d rounds of %d);\n"
		"                cpu: the submitting process's CPU time, on a shared host\n"
		"  --only        rows whose name contains one of these strings\n"
		"  --configs     the configurations to run (default all):\n"
		"                %s\n"
		"  --watchdog    a configuration this long without progress fails (default %d s)\n"
		"  -v            each program's runs, ns per call and size\n"
		"Exit status: 0, or 1 when a configuration failed.\n",
		QUICK_ROUNDS, QUICK_COUNT, ICOUNT_ROUNDS, ICOUNT_COUNT, DEFAULT_ROUNDS, DEFAULT_COUNT,
		config_list(names, sizeof(names)), DEFAULT_WATCHDOG_S);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, 0, 'n' }, { "rounds", required_argument, 0, 'r' },
		{ "quick", no_argument, 0, 'q' }, { "out", required_argument, 0, 'o' },
		{ "no-rows", no_argument, 0, 'R' }, { "clock", required_argument, 0, 'C' },
		{ "only", required_argument, 0, 'O' }, { "configs", required_argument, 0, 'c' },
		{ "watchdog", required_argument, 0, 'W' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	static struct bench b = { .watchdog_ns = DEFAULT_WATCHDOG_S * 1000000000ull };
	const char *out = ".", *only = NULL;
	struct json_object *root;
	struct sample *samples;
	struct stat st;
	char path[4096];
	bool no_rows = false, verbose = false;
	int c;

	b.start_ns = now_ns();
	cli_prog = "ioucmd-bench";
	for (c = 0; c < CONFIGS; c++)
		b.want[c] = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:r:o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': if (cli_u64("-n", optarg, 1, UINT64_MAX, &b.count)) return EXIT_USAGE; break;
		case 'r':
			if (cli_u32("-r", optarg, 1, BENCH_ROUNDS_MAX, &b.rounds))
				return EXIT_USAGE;
			break;
		case 'q': b.quick = true; break;
		case 'R': no_rows = true; break;	/* only overload and accuracy */
		case 'v': verbose = true; break;
		case 'o': out = optarg; break;
		case 'O': only = optarg; break;
		case 'c': if (parse_configs(&b, optarg)) return EXIT_USAGE; break;
		case 'C':
			for (b.clock = 0; b.clock < CLOCKS; b.clock++)
				if (!strcmp(optarg, clock_names[b.clock]))
					break;
			if (b.clock == CLOCKS) {
				cli_err("--clock must be wall, icount or cpu, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'W':
			if (cli_duration("--watchdog", optarg, 1000000000ull, &b.watchdog_ns))
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (cli_no_more(argc, argv, optind))
		return EXIT_USAGE;
	if (!b.rounds)
		b.rounds = b.quick ? QUICK_ROUNDS
			 : b.clock == CLOCK_ICOUNT ? ICOUNT_ROUNDS : DEFAULT_ROUNDS;
	if (!b.count)
		b.count = b.quick ? QUICK_COUNT
			: b.clock == CLOCK_ICOUNT ? ICOUNT_COUNT : DEFAULT_COUNT;
	samples = shared_alloc(CONFIGS * sizeof(*samples));
	if (!samples) {
		cli_err("cannot share memory with the measuring children");
		return EXIT_USAGE;
	}
	probe_kernel(&b);
	if (!no_rows)
		plan(&b);
	if (only) {
		int planned = b.nr_rows;

		keep_rows(&b, only);
		if (!b.nr_rows) {
			cli_err("--only: no row here is called '%s' (of %d planned on this machine)",
				only, planned);
			return EXIT_USAGE;
		}
	}
	probe_tracer(&b);
	printf("ioucmd-bench: %s backend, %s clock, %u rounds of %llu commands per configuration, "
	       "watchdog %.0f s\n", b.fentry ? "fentry" : "tracepoint",
	       clock_names[b.clock], b.rounds,
	       (unsigned long long)b.count, b.watchdog_ns / 1e9);
	for (int i = 0; i < b.nr_rows; i++)
		run_row(&b, i, samples);
	bpf_stats(false);
	shared_free(samples, CONFIGS * sizeof(*samples));
	output_tables(&b, verbose);
	root = output_json(&b);
	/* the reference driver's rows: overload and latency accuracy */
	if (b.fentry && !stat(IOUCMD_REF_DEVPATH, &st) && !b.quick && !only) {
		run_section(&b, root, "overload", overload);
		run_section(&b, root, "latency_accuracy", bench_accuracy);
	}
	b.secs = since(&b);
	json_object_object_add(root, "seconds", json_object_new_double(b.secs));
	json_object_object_add(root, "failures", json_object_new_int(b.failures));
	printf("\nioucmd-bench took %.0f s (%s clock)%s\n", b.secs,
	       b.clock == CLOCK_ICOUNT ? "icount: guest instructions" : "wall",
	       b.failures ? "; some configurations FAILED (above)" : "");
	snprintf(path, sizeof(path), "%s/bench.json", out);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY))
		cli_err("cannot write %s", path);
	json_object_put(root);
	snprintf(path, sizeof(path), "%s/bench.svg", out);
	output_svg(&b, path);
	return b.failures ? EXIT_VIOLATION : EXIT_OK;
}
