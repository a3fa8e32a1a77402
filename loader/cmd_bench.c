// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd bench: what the tracer costs, against a floor measured in the same run.
 *
 * For each workload row, configurations run in interleaved rounds (so that drift on a shared
 * machine hits all of them alike) and the median ns/command of each is kept:
 *   untraced       nothing attached;
 *   floor          empty programs where the tracer attaches (fentry+fexit on the handler, plus
 *                  fentry on done() for async rows; on kernels without fentry, two empty
 *                  tracepoint programs on io_uring_submit_req and io_uring_complete);
 *   ioucmd         the tracer as users run it, every rule and the latency histograms on;
 *   ioucmd-events  the same with --events streaming every step to user space;
 *   bpftrace       Debian's bpftrace doing the usual latency histogram (bench_bpftrace.c).
 * overhead = ns/cmd - untraced; x floor = overhead / floor's overhead. The kernel's own BPF
 * statistics (run_time_ns / run_cnt per program) are reported beside the wall clock.
 * Then: BPF map memory per configuration, an overload row (twice the in-flight map's
 * capacity: untracked commands counted, no false violation) and latency accuracy against the
 * reference driver's ground truth (bench_accuracy.c).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <ioucmd/ioucmd_ref.h>
#include "bench.h"
#include "cli.h"
#include "nvme.h"
#include "floor.skel.h"
#include "submit.h"
#include "tracer.h"

enum config { UNTRACED, FLOOR, IOUCMD, IOUCMD_EVENTS, BPFTRACE, CONFIGS };
static const char *const config_names[CONFIGS] = { "untraced", "floor", "ioucmd", "ioucmd-events",
						   "bpftrace" };

struct row {
	char name[96];
	const char *handler;
	const char *device;
	uint32_t cmd_op;
	unsigned int qd, batch, threads;
	bool async;		/* completes through done(): the floor includes done()'s fentry */
	bool nvme;		/* 4 KiB NVMe passthrough reads (struct nvme_uring_cmd) */
	bool fio;		/* the load comes from fio's io_uring_cmd engine, not ioucmd's own */
	double ns[CONFIGS];	/* median ns/command */
	double prog_ns[CONFIGS];	/* BPF run time per command, from bpf_stats */
	/* where ioucmd's time goes: each program's ns per call, from the statistics round */
	struct { char name[32]; double ns_per_call, calls_per_cmd; } progs[16];
	int nr_progs;
	uint64_t violations, untracked, cqes, completed, lost;
	bool counts_ok;
	bool ran[CONFIGS];
};

struct bench {
	unsigned int rounds;
	uint64_t count;
	bool fentry;		/* else the tracepoint backend and floor */
	bool bpftrace;		/* installed: the bpftrace column runs */
	char no_bpftrace[128];	/* else why not */
	uint64_t map_bytes[CONFIGS];	/* BPF map memory (memlock) of each configuration */
	struct row rows[32];
	int nr_rows;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool bpf_stats(bool on)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");

	if (!f)
		return false;
	fprintf(f, "%d\n", on);
	return !fclose(f);
}

static bool verbose;

/* per program: ns per call, where the time goes (kept in the row, printed with -v) */
static void keep_progs(const struct bpf_object *obj, struct row *r, uint64_t cmds)
{
	struct bpf_program *p;

	r->nr_progs = 0;
	bpf_object__for_each_program(p, (struct bpf_object *)obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len) || !info.run_cnt ||
		    r->nr_progs == (int)(sizeof(r->progs) / sizeof(r->progs[0])))
			continue;
		snprintf(r->progs[r->nr_progs].name, sizeof(r->progs[0].name), "%s",
			 bpf_program__name(p));
		r->progs[r->nr_progs].ns_per_call = (double)info.run_time_ns / info.run_cnt;
		r->progs[r->nr_progs].calls_per_cmd = cmds ? (double)info.run_cnt / cmds : 0;
		if (verbose)
			printf("#   %-28s %-20s %8.0f ns/call %10llu calls\n", r->name,
			       bpf_program__name(p), r->progs[r->nr_progs].ns_per_call,
			       (unsigned long long)info.run_cnt);
		r->nr_progs++;
	}
}

/* run time of every loaded program of obj, summed, in ns */
static uint64_t obj_run_ns(const struct bpf_object *obj)
{
	struct bpf_program *p;
	uint64_t ns = 0;

	bpf_object__for_each_program(p, (struct bpf_object *)obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd >= 0 && !bpf_prog_get_info_by_fd(fd, &info, &len))
			ns += info.run_time_ns;
	}
	return ns;
}

/* memlock of every map of obj, as the kernel accounts it (/proc/self/fdinfo) */
static uint64_t obj_map_bytes(const struct bpf_object *obj)
{
	struct bpf_map *m;
	uint64_t sum = 0;

	bpf_object__for_each_map(m, obj) {
		char path[64], line[128];
		unsigned long long v;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", bpf_map__fd(m));
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %llu", &v) == 1)
				sum += v;
		fclose(f);
	}
	return sum;
}

static struct floor_bpf *floor_open(const struct row *r, bool fentry, const char *done_func,
				    char *err, size_t errlen)
{
	struct floor_bpf *s = floor_bpf__open();

	if (!s) {
		snprintf(err, errlen, "cannot open the floor object");
		return NULL;
	}
	if (fentry) {
		bpf_program__set_autoload(s->progs.floor_entry, true);
		bpf_program__set_autoload(s->progs.floor_exit, true);
		bpf_program__set_attach_target(s->progs.floor_entry, 0, r->handler);
		bpf_program__set_attach_target(s->progs.floor_exit, 0, r->handler);
		if (r->async) {
			bpf_program__set_autoload(s->progs.floor_done, true);
			bpf_program__set_attach_target(s->progs.floor_done, 0, done_func);
		}
	} else {
		bpf_program__set_autoload(s->progs.floor_submit, true);
		bpf_program__set_autoload(s->progs.floor_complete, true);
	}
	if (floor_bpf__load(s) || floor_bpf__attach(s)) {
		snprintf(err, errlen, "loading the floor programs failed: %s", strerror(errno));
		floor_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static void drain(void *arg, const struct ioucmd_event *e)
{
	(void)arg;
	(void)e;
}

struct poller {
	struct tracer *t;
	volatile int stop;
};

static void *poll_main(void *arg)
{
	struct poller *p = arg;

	while (!p->stop)
		tracer_poll(p->t, 10);
	return NULL;
}

/* one measurement: ns/command of the row under one configuration */
static int measure(struct bench *b, struct row *r, enum config c, double *ns, double *prog_ns,
		   char *err, size_t errlen)
{
	struct submit_job job = {
		.device = r->device, .cmd_op = r->cmd_op, .qd = r->qd, .batch = r->batch,
		.threads = r->threads, .count = b->count,
		.entries = r->qd > 64 ? r->qd : 64,
	};
	struct ioucmd_ref_cmd data = { .arg = 1 };
	struct tracer_opts to = { .nr_handlers = 1, .stall_timeout_ns = 60000000000ull };
	struct floor_bpf *fl = NULL;
	struct tracer *t = NULL;
	struct submit_result res;
	struct poller pl = { 0 };
	pthread_t th;
	struct bpftrace_run bt;
	uint64_t before = 0;
	int ret;

	memcpy(job.data, &data, sizeof(data));
	job.data_len = sizeof(data);
	if (r->nvme) {
		struct scenario_cmd read = { .kind = SCENARIO_CMD_NVME, .nvme = SCENARIO_NVME_READ,
					     .bs = 4096 };

		job.sqe128 = job.cqe32 = true;	/* nvme_uring_cmd_checks() wants both */
		if (nvme_prepare(r->device, &read, &job, err, errlen))
			return -1;
	}
	to.handlers[0] = r->handler;
	to.backend = b->fentry ? TRACER_FENTRY : TRACER_TRACEPOINT;
	if (c == FLOOR) {
		fl = floor_open(r, b->fentry, "io_uring_cmd_done", err, errlen);
		if (!fl) {
			/* 6.18+: the completion is __io_uring_cmd_done */
			fl = floor_open(r, b->fentry, "__io_uring_cmd_done", err, errlen);
			if (!fl)
				return -1;
		}
		before = obj_run_ns(fl->obj);
	} else if (c == IOUCMD || c == IOUCMD_EVENTS) {
		to.events = c == IOUCMD_EVENTS;
		to.on_life = drain;
		t = tracer_open(&to, err, errlen);
		if (!t)
			return -1;
		if (to.events) {
			pl.t = t;
			pthread_create(&th, NULL, poll_main, &pl);
		}
		b->map_bytes[c] = obj_map_bytes(tracer_object(t));
	} else if (c == BPFTRACE) {
		if (bpftrace_start(&bt, b->fentry, r->handler,
				   strcmp(r->handler, IOUCMD_REF_HANDLER) ? NULL : "ioucmd_ref", r->async,
				   err, errlen))
			return -1;
	}
	if (r->fio) {
		memset(&res, 0, sizeof(res));
		ret = fio_run(r->device, r->qd, b->count, &res.elapsed_ns, err, errlen);
		res.cqes = res.submitted = ret ? 0 : b->count;
	} else {
		ret = submit_run(&job, &res, err, errlen);
	}
	if (c == BPFTRACE && bpftrace_stop(&bt, err, errlen))
		return -1;
	*ns = res.cqes ? (double)res.elapsed_ns / res.cqes : 0;
	*prog_ns = 0;
	if (fl) {
		*prog_ns = res.cqes ? (double)(obj_run_ns(fl->obj) - before) / res.cqes : 0;
		floor_bpf__destroy(fl);
	}
	if (t) {
		struct ioucmd_counters k;

		if (to.events) {
			pl.stop = 1;
			pthread_join(th, NULL);
		}
		tracer_poll(t, 0);
		*prog_ns = res.cqes ? (double)obj_run_ns(tracer_object(t)) / res.cqes : 0;
		if (c == IOUCMD && *prog_ns > 0)	/* the statistics round */
			keep_progs(tracer_object(t), r, res.cqes);
		if (!tracer_counters(t, 0, &k)) {
			uint64_t v = 0;

			for (int i = 0; i < IOUCMD_RULE__COUNT; i++)
				v += k.violations[i];
			r->violations += v;
			r->untracked += k.untracked + k.inflight_full;
			r->lost += k.lost_events;
			r->cqes += res.cqes;
			r->completed += b->fentry ? k.sync_returns + k.done : k.cqes;
		}
		tracer_close(t);
	}
	return ret ? -1 : 0;
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
		 cmd_op == IOUCMD_REF_NOP ? "NOP" : cmd_op == IOUCMD_REF_NOP_TW ? "NOP_TW" : "cmd",
		 qd, batch, threads);
}

static void plan(struct bench *b, bool quick)
{
	struct stat st;

	add_row(b, "uring_cmd_null", "/dev/null", 0, false, 1, 1, 1);
	add_row(b, "uring_cmd_null", "/dev/null", 0, false, 32, 1, 1);
	if (b->fentry && !stat(BENCH_NVME_DEV, &st)) {
		/* a real driver nobody here wrote (vm/run --nvme); CONFIG_NVME_MULTIPATH=y in
		 * Debian's kernels, so /dev/ng0n1 is the multipath head's
		 */
		for (int fio = 0; fio < 2; fio++) {
			for (unsigned int qd = 1; qd <= 32; qd *= 32) {
				if (fio && !fio_available())
					break;
				add_row(b, BENCH_NVME_HANDLER, BENCH_NVME_DEV, 0, true, qd, 1, 1);
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

		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 1, 1, 1);
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 1, 1);
		if (quick)
			continue;
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 16, 1);
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, op, tw, 32, 1, 2);
	}
	if (quick)
		return;
	/* scale: the cost per command must stay flat with depth */
	for (unsigned int qd = 8; qd <= 512; qd *= 4)
		add_row(b, IOUCMD_REF_HANDLER, IOUCMD_REF_DEVPATH, IOUCMD_REF_NOP_TW, true, qd,
			qd < 16 ? qd : 16, 1);
}

static struct json_object *row_json(const struct row *r)
{
	struct json_object *o = json_object_new_object();
	double floor_ov = r->ns[FLOOR] - r->ns[UNTRACED];

	json_object_object_add(o, "row", json_object_new_string(r->name));
	json_object_object_add(o, "handler", json_object_new_string(r->handler));
	for (int c = 0; c < CONFIGS; c++) {
		struct json_object *x = json_object_new_object();
		double ov = r->ns[c] - r->ns[UNTRACED];

		if (!r->ran[c])
			continue;
		json_object_object_add(x, "ns_per_cmd", json_object_new_double(r->ns[c]));
		json_object_object_add(x, "overhead_ns", json_object_new_double(ov));
		if (c != UNTRACED && floor_ov > 0)
			json_object_object_add(x, "x_floor", json_object_new_double(ov / floor_ov));
		if (c != UNTRACED)
			json_object_object_add(x, "bpf_ns_per_cmd", json_object_new_double(r->prog_ns[c]));
		json_object_object_add(o, config_names[c], x);
	}
	if (r->ran[BPFTRACE] && r->ns[BPFTRACE] > r->ns[UNTRACED])
		json_object_object_add(o, "ioucmd_overhead_over_bpftrace",
				       json_object_new_double((r->ns[IOUCMD] - r->ns[UNTRACED]) /
							      (r->ns[BPFTRACE] - r->ns[UNTRACED])));
	if (r->nr_progs) {
		struct json_object *progs = json_object_new_array();

		for (int i = 0; i < r->nr_progs; i++) {
			struct json_object *x = json_object_new_object();

			json_object_object_add(x, "program", json_object_new_string(r->progs[i].name));
			json_object_object_add(x, "ns_per_call",
					       json_object_new_double(r->progs[i].ns_per_call));
			json_object_object_add(x, "calls_per_cmd",
					       json_object_new_double(r->progs[i].calls_per_cmd));
			json_object_array_add(progs, x);
		}
		json_object_object_add(o, "ioucmd_programs", progs);
	}
	json_object_object_add(o, "violations", json_object_new_uint64(r->violations));
	json_object_object_add(o, "untracked", json_object_new_uint64(r->untracked));
	json_object_object_add(o, "lost_events", json_object_new_uint64(r->lost));
	json_object_object_add(o, "counts_exact", json_object_new_boolean(r->counts_ok));
	return o;
}

/* bars of x floor per row, for the HTML report to embed */
static void write_svg(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "w");
	int h = 24, w = 420;

	if (!f)
		return;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n"
		"<style>text{font:11px sans-serif}</style>\n", w + 320, b->nr_rows * 2 * h + 30);
	fprintf(f, "<text x=\"230\" y=\"14\">x floor (1 = the cost of empty programs); "
		"blue ioucmd, orange ioucmd --events</text>\n");
	for (int i = 0; i < b->nr_rows; i++) {
		const struct row *r = &b->rows[i];
		double fo = r->ns[FLOOR] - r->ns[UNTRACED];
		int y = 24 + i * 2 * h;

		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>\n", y + 14, r->name);
		for (int c = IOUCMD; c <= IOUCMD_EVENTS; c++) {
			double x = fo > 0 ? (r->ns[c] - r->ns[UNTRACED]) / fo : 0;
			int len = (int)(x / 6.0 * w);

			if (len > w)
				len = w;
			if (len < 0)
				len = 0;
			fprintf(f, "<rect x=\"230\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"%d\">%.2f</text>\n", y + (c - IOUCMD) * (h - 4), len,
				h - 8, c == IOUCMD ? "#3b6fb6" : "#d98c2b", 235 + len,
				y + (c - IOUCMD) * (h - 4) + 12, x);
		}
	}
	fprintf(f, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" "
		"stroke-dasharray=\"3\"/>\n", 230 + w / 6, 230 + w / 6, b->nr_rows * 2 * h + 24);
	fputs("</svg>\n", f);
	fclose(f);
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

static void usage(FILE *out)
{
	fprintf(out, "usage: ioucmd bench [-n COMMANDS] [-r ROUNDS] [--quick] [--no-rows] [-v] "
		"[-o DIR]\n\n"
		"Measures the tracer's cost per command against untraced runs and a floor of empty\n"
		"programs, in interleaved rounds; prints a table and writes DIR/bench.json and\n"
		"DIR/bench.svg. Needs root. Absolute numbers depend on the machine; ratios are the\n"
		"result.\n");
}

int cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, 0, 'n' }, { "rounds", required_argument, 0, 'r' },
		{ "quick", no_argument, 0, 'q' }, { "out", required_argument, 0, 'o' },
		{ "no-rows", no_argument, 0, 'R' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	static struct bench b = { .rounds = 5, .count = 20000 };
	const char *out = ".";
	struct json_object *root, *rows;
	struct utsname u;
	struct stat st;
	char err[1024], path[4096];
	bool quick = false, no_rows = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:r:o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': b.count = strtoull(optarg, NULL, 0); break;
		case 'r': b.rounds = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'q': quick = true; break;
		case 'R': no_rows = true; break;	/* only overload and accuracy */
		case 'v': verbose = true; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!b.count || !b.rounds || b.rounds > 64) {
		fprintf(stderr, "ioucmd bench: -n and -r take positive numbers (rounds at most 64)\n");
		return EXIT_USAGE;
	}
	libbpf_set_print(NULL);	/* the probe below may fail: that is its answer */
	/* fentry where the kernel allows it: try the floor on /dev/null's handler */
	{
		struct row probe = { .handler = "uring_cmd_null" };
		struct floor_bpf *fl = floor_open(&probe, true, "", err, sizeof(err));

		b.fentry = fl != NULL;
		floor_bpf__destroy(fl);
	}
	b.bpftrace = bpftrace_available(b.no_bpftrace, sizeof(b.no_bpftrace));
	if (!no_rows)
		plan(&b, quick);
	printf("ioucmd bench: %s backend, %u rounds of %llu commands per configuration\n",
	       b.fentry ? "fentry" : "tracepoint", b.rounds, (unsigned long long)b.count);
	for (int i = 0; i < b.nr_rows; i++) {
		struct row *r = &b.rows[i];
		double v[CONFIGS][65], pv[CONFIGS][65];

		/*
		 * Wall clock with the kernel's BPF statistics off (they add two clock reads per
		 * program run, more for whoever runs more programs), then one more round with them
		 * on for the per-program cost.
		 */
		/* progress on stderr: a full run takes many minutes under TCG */
		fprintf(stderr, "ioucmd bench: row %d/%d: %s\n", i + 1, b.nr_rows, r->name);
		for (unsigned int k = 0; k <= b.rounds; k++) {
			bpf_stats(k == b.rounds);
			for (int cf = 0; cf < CONFIGS; cf++) {
				if (cf == BPFTRACE && !b.bpftrace)
					continue;
				if (measure(&b, r, cf, &v[cf][k], &pv[cf][k], err, sizeof(err))) {
					fprintf(stderr, "ioucmd bench: %s, %s: %s\n", r->name,
						config_names[cf], err);
					bpf_stats(false);
					return EXIT_USAGE;
				}
			}
		}
		for (int cf = 0; cf < CONFIGS; cf++) {
			if (cf == BPFTRACE && !b.bpftrace)
				continue;
			r->ns[cf] = median(v[cf], b.rounds);
			r->prog_ns[cf] = pv[cf][b.rounds];
			r->ran[cf] = true;
		}
		r->counts_ok = r->completed == r->cqes && !r->violations;
	}
	bpf_stats(false);

	printf("\n%-24s %9s %9s %9s %9s %9s %7s %7s %7s %7s %7s\n", "row", "untraced", "floor",
	       "ioucmd", "+events", "bpftrace", "x floor", "x floor", "x floor", "io/bt", "bpf ns");
	printf("%-24s %9s %9s %9s %9s %9s %7s %7s %7s %7s %7s\n", "", "ns/cmd", "ns/cmd", "ns/cmd",
	       "ns/cmd", "ns/cmd", "ioucmd", "events", "bpftr.", "ovh", "ioucmd");
	for (int i = 0; i < b.nr_rows; i++) {
		const struct row *r = &b.rows[i];
		double fo = r->ns[FLOOR] - r->ns[UNTRACED];
		double io = r->ns[IOUCMD] - r->ns[UNTRACED], bt = r->ns[BPFTRACE] - r->ns[UNTRACED];

		printf("%-24s %9.0f %9.0f %9.0f %9.0f ", r->name, r->ns[UNTRACED], r->ns[FLOOR],
		       r->ns[IOUCMD], r->ns[IOUCMD_EVENTS]);
		if (r->ran[BPFTRACE])
			printf("%9.0f ", r->ns[BPFTRACE]);
		else
			printf("%9s ", "-");
		printf("%7.2f %7.2f ", fo > 0 ? io / fo : 0,
		       fo > 0 ? (r->ns[IOUCMD_EVENTS] - r->ns[UNTRACED]) / fo : 0);
		if (r->ran[BPFTRACE])
			printf("%7.2f %7.2f ", fo > 0 ? bt / fo : 0, bt > 0 ? io / bt : 0);
		else
			printf("%7s %7s ", "-", "-");
		printf("%7.0f%s\n", r->prog_ns[IOUCMD], r->counts_ok ? "" : "  (counts not exact!)");
	}
	if (!b.bpftrace)
		printf("bpftrace: not run: %s\n", b.no_bpftrace);
	printf("\nwhere ioucmd's time goes (kernel BPF statistics: ns per call of each program)\n");
	for (int i = 0; i < b.nr_rows; i++) {
		const struct row *r = &b.rows[i];

		printf("%-24s", r->name);
		for (int p = 0; p < r->nr_progs; p++)
			printf(" %s %.0f", r->progs[p].name, r->progs[p].ns_per_call);
		printf("\n");
	}
	printf("BPF map memory: ioucmd %.1f MiB, ioucmd --events %.1f MiB (memlock)\n",
	       b.map_bytes[IOUCMD] / 1048576.0, b.map_bytes[IOUCMD_EVENTS] / 1048576.0);
	printf("\nfloor: empty %s; targets: sync <= 1.3x, async <= 1.6x, tracepoint <= 1.5x floor;\n"
	       "io/bt ovh: ioucmd's overhead / bpftrace's, target <= 0.33\n",
	       b.fentry ? "fentry+fexit on the handler (+ fentry on done() for async rows)"
			: "tp_btf programs on io_uring_submit_req and io_uring_complete");

	root = json_object_new_object();
	rows = json_object_new_array();
	json_object_object_add(root, "schema", json_object_new_string("ioucmd-bench/1"));
	if (!uname(&u))
		json_object_object_add(root, "kernel", json_object_new_string(u.release));
	json_object_object_add(root, "backend", json_object_new_string(b.fentry ? "fentry"
									     : "tracepoint"));
	json_object_object_add(root, "rounds", json_object_new_int((int)b.rounds));
	json_object_object_add(root, "commands", json_object_new_uint64(b.count));
	for (int i = 0; i < b.nr_rows; i++)
		json_object_array_add(rows, row_json(&b.rows[i]));
	json_object_object_add(root, "rows", rows);
	add_machine(root);
	if (!b.bpftrace)
		json_object_object_add(root, "bpftrace_not_run", json_object_new_string(b.no_bpftrace));
	{
		struct json_object *mem = json_object_new_object();

		for (int cf = IOUCMD; cf <= IOUCMD_EVENTS; cf++)
			json_object_object_add(mem, config_names[cf],
					       json_object_new_uint64(b.map_bytes[cf]));
		json_object_object_add(root, "map_memlock_bytes", mem);
	}
	/* the reference driver's rows: overload and latency accuracy */
	if (b.fentry && !stat(IOUCMD_REF_DEVPATH, &st) && !quick) {
		struct json_object *o;

		fprintf(stderr, "ioucmd bench: overload\n");
		o = bench_overload(err, sizeof(err));

		if (!o)
			fprintf(stderr, "ioucmd bench: overload: %s\n", err);
		json_object_object_add(root, "overload", o);
		o = bench_accuracy(quick, err, sizeof(err));
		if (!o)
			fprintf(stderr, "ioucmd bench: accuracy: %s\n", err);
		json_object_object_add(root, "latency_accuracy", o);
	}
	snprintf(path, sizeof(path), "%s/bench.json", out);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY))
		fprintf(stderr, "ioucmd bench: cannot write %s\n", path);
	json_object_put(root);
	snprintf(path, sizeof(path), "%s/bench.svg", out);
	write_svg(&b, path);
	return EXIT_OK;
}
