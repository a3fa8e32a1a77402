// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One scenario: load its module, attach the tracer to the handlers its devices use, run each
 * job while draining the tracer's events, then judge: built-in consistency checks (every
 * command completed once, as seen by user space, the tracer and the driver) and the scenario's
 * own expectations, each a KTAP test point.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <liburing.h>
#include <ioucmd/ioucmd_ref.h>
#include "chrome_trace.h"
#include "cli.h"
#include "discover.h"
#include "hist.h"
#include "ksyms.h"
#include "nvme.h"
#include "report.h"
#include "clock.h"
#include "run.h"
#include "submit.h"

#define DEFAULT_STALL_NS	10000000000ull

struct run_state {
	const struct scenario *sc;
	const struct run_opts *opts;
	struct tracer *t;
	struct json_object *out, *checks, *violations;
	struct chrome_trace *events;
	const char *handlers[IOUCMD_MAX_HANDLERS];
	int nr_handlers;
	bool failed;
};

/* ---- KTAP test points, kept in the report ----------------------------------------------- */

static void check(struct run_state *rs, bool ok, const char *name, const char *detail)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "ok", json_object_new_boolean(ok));
	if (detail && *detail)
		json_object_object_add(c, "detail", json_object_new_string(detail));
	json_object_array_add(rs->checks, c);
	if (!ok)
		rs->failed = true;
}

static void skip(struct run_state *rs, const char *name, const char *why)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "ok", json_object_new_boolean(1));
	json_object_object_add(c, "skip", json_object_new_string(why));
	json_object_array_add(rs->checks, c);
}

/* ---- the environment: kernel, module, handlers ---------------------------------------- */

static bool kernel_at_least(unsigned int major, unsigned int minor, char *rel, size_t len)
{
	struct utsname u;
	unsigned int ma = 0, mi = 0;

	if (uname(&u))
		return true;
	snprintf(rel, len, "%s", u.release);
	sscanf(u.release, "%u.%u", &ma, &mi);
	return ma > major || (ma == major && mi >= minor);
}

static bool module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	for (char *p = path + 12; *p; p++)
		if (*p == '-')
			*p = '_';
	return !stat(path, &st);
}

/* loads module (from /lib/modules/ioucmd/, where vm/run puts ours) with params */
static int load_module(const char *name, const char *params, char *err, size_t errlen)
{
	char path[256];
	int fd, ret;

	if (module_loaded(name)) {
		if (!params[0])
			return 0;
		/* reload: the parameters (fault injection) are set at load */
		if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
			snprintf(err, errlen, "module %s is loaded and cannot be reloaded with '%s': %s",
				 name, params, strerror(errno));
			return -errno;
		}
	}
	snprintf(path, sizeof(path), "/lib/modules/ioucmd/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s (build it with 'make driver' and run in "
			 "vm/run, or load it yourself)", path, strerror(errno));
		return -errno;
	}
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "loading %s failed: %s%s", path, strerror(errno),
			 errno == EPERM ? " (needs root)" : "");
		return -errno;
	}
	return 0;
}

/*
 * The ->uring_cmd handlers that may serve a job's target, '|'-separated where the kernel
 * decides at open time: an NVMe namespace's char device is the multipath head's
 * (nvme_ns_head_chr_uring_cmd) when CONFIG_NVME_MULTIPATH is on, the namespace's otherwise.
 */
static const char *handler_for(const char *device)
{
	struct stat st;

	if (!strncmp(device, "socket:", 7))
		return "io_uring_cmd_sock";
	if (!strcmp(device, IOUCMD_REF_DEVPATH))
		return IOUCMD_REF_HANDLER;
	if (!strcmp(device, "/dev/null"))
		return "uring_cmd_null";
	if (!strncmp(device, "/dev/ng", 7))
		return "nvme_ns_head_chr_uring_cmd|nvme_ns_chr_uring_cmd";
	if (!strncmp(device, "/dev/nvme", 9) && !strchr(device + 9, 'n'))
		return "nvme_dev_uring_cmd";
	if (!stat(device, &st) && S_ISBLK(st.st_mode))
		return "blkdev_uring_cmd";
	return NULL;
}

static int add_handler(struct run_state *rs, const char *name)
{
	for (int i = 0; i < rs->nr_handlers; i++)
		if (!strcmp(rs->handlers[i], name))
			return 0;
	if (rs->nr_handlers == IOUCMD_MAX_HANDLERS)
		return -E2BIG;
	rs->handlers[rs->nr_handlers++] = name;
	return 0;
}

static int choose_handlers(struct run_state *rs, char *err, size_t errlen)
{
	static struct handler_info found[256];
	const struct scenario *sc = rs->sc;

	struct ksyms *ks = ksyms_load();

	for (size_t j = 0; j < sc->nr_jobs; j++) {
		const char *h = handler_for(sc->jobs[j].device);

		if (h) {
			static char names[IOUCMD_MAX_HANDLERS][128];
			char list[256], *save = NULL;

			snprintf(list, sizeof(list), "%s", h);
			for (char *n = strtok_r(list, "|", &save); n; n = strtok_r(NULL, "|", &save)) {
				/* only those this kernel has */
				if (ks && !ksyms_by_name(ks, n))
					continue;
				if (rs->nr_handlers < IOUCMD_MAX_HANDLERS) {
					snprintf(names[rs->nr_handlers], sizeof(names[0]), "%s", n);
					add_handler(rs, names[rs->nr_handlers]);
				}
			}
			continue;
		}
		/* any other device: every handler of the scenario's module */
		int n = sc->module[0] ? discover_handlers(found, 256, err, errlen) : 0;

		for (int i = 0; i < n && i < 256; i++)
			if (!strcmp(found[i].module, sc->module) && found[i].attachable)
				add_handler(rs, found[i].name);
		if (!rs->nr_handlers) {
			snprintf(err, errlen, "no uring_cmd handler known for %s: set 'module' to the "
				 "module that serves it", sc->jobs[j].device);
			ksyms_free(ks);
			return -ENOENT;
		}
	}
	ksyms_free(ks);
	if (!rs->nr_handlers) {
		snprintf(err, errlen, "none of the handlers for this scenario's devices is in this "
			 "kernel ('ioucmd list' shows what there is)");
		return -ENOENT;
	}
	return 0;
}

/* ---- the reference driver's own counters ------------------------------------------------ */

/* STATS through a uring_cmd of its own: sums over modes into driver.* fields */
static bool driver_stats(struct json_object *into)
{
	struct ioucmd_ref_stats st;
	uint64_t sum[6] = { 0 };
	char err[256];

	if (submit_ref_once(IOUCMD_REF_STATS, (uintptr_t)&st, sizeof(st), err, sizeof(err)) != 0)
		return false;
	/* STATS included: a scenario may send it too; drop_stats_reads() takes ours out */
	for (int i = 0; i < IOUCMD_REF_MODES; i++) {
		sum[0] += st.issued[i];
		sum[1] += st.queued[i];
		sum[2] += st.completed[i];
		sum[3] += st.sync_returns[i];
		sum[4] += st.eagain[i];
		sum[5] += st.cancelled[i];
	}
	json_object_object_add(into, "driver.issued", json_object_new_uint64(sum[0]));
	json_object_object_add(into, "driver.queued", json_object_new_uint64(sum[1]));
	json_object_object_add(into, "driver.completed", json_object_new_uint64(sum[2]));
	json_object_object_add(into, "driver.sync_returns", json_object_new_uint64(sum[3]));
	json_object_object_add(into, "driver.eagain", json_object_new_uint64(sum[4]));
	json_object_object_add(into, "driver.cancelled", json_object_new_uint64(sum[5]));
	json_object_object_add(into, "driver.rejected", json_object_new_uint64(st.rejected));
	return true;
}

/*
 * The runner's own STATS reads go through the traced handler too: each is one synchronous
 * command. Take them out of the tracer's counts so that the fields speak of the scenario only.
 */
/* the loader's own STATS reads are not the scenario's commands: take them out of the counts */
static void drop_stats_reads(struct json_object *f, double reads)
{
	static const char *const keys[] = { "issued", "sync_returns", "completed", "bpf_cqes" };
	double v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (report_lookup(f, keys[i], &v))
			json_object_object_add(f, keys[i], json_object_new_double(v - reads));
}

/* a job's driver.* difference holds the read that took `after` (the driver counts it first) */
static void drop_driver_stats_read(struct json_object *f)
{
	static const char *const keys[] = { "driver.issued", "driver.sync_returns" };
	double v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (report_lookup(f, keys[i], &v))
			json_object_object_add(f, keys[i], json_object_new_double(v - 1));
}

/* ---- fields: after - before, for a job's part of the report ----------------------------- */

static double field(struct json_object *o, const char *k)
{
	double v = 0;

	report_lookup(o, k, &v);
	return v;
}

static void put(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* counters that accumulate: a job's value is the difference */
static void add_delta(struct json_object *to, struct json_object *before, struct json_object *after)
{
	json_object_object_foreach(after, key, val) {
		(void)val;
		if (!strncmp(key, "latency.", 8))
			continue;	/* percentiles do not subtract; see add_job_latency() */
		put(to, key, field(after, key) - field(before, key));
	}
}

static void add_submit_fields(struct json_object *o, const struct submit_result *r, bool cqe32)
{
	put(o, "submitted", (double)r->submitted);
	put(o, "cqes", (double)r->cqes);
	put(o, "cqe_errors", (double)r->cqe_errors);
	put(o, "abandoned", (double)r->abandoned);
	if (r->cqes) {
		put(o, "res.min", (double)r->res_min);
		put(o, "res.max", (double)r->res_max);
		if (cqe32) {
			put(o, "res2.min", (double)r->res2_min);
			put(o, "res2.max", (double)r->res2_max);
		}
	}
}

/* the tracer's latency for one job: the histogram's growth while it ran */
static void add_job_latency(struct json_object *o, uint64_t *before, const uint64_t *after)
{
	for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++)
		before[b] = after[b] - before[b];
	report_put_latency(o, before);
}

/* user space's own view of latency (submit to reap), beside the tracer's */
static void add_user_latency(struct json_object *o, const uint64_t *lat)
{
	struct hist_summary s;

	hist_summarize(lat, &s);
	put(o, "user_latency.count", (double)s.count);
	put(o, "user_latency.p50", s.p50);
	put(o, "user_latency.p99", s.p99);
}

/* ---- running a job while the tracer is drained ------------------------------------------ */

struct job_thread {
	struct submit_job job;
	struct submit_result res;
	int ret;
	char err[256];
	volatile int finished;
};

static void *job_main(void *arg)
{
	struct job_thread *jt = arg;

	jt->ret = submit_run(&jt->job, &jt->res, jt->err, sizeof(jt->err));
	__atomic_store_n(&jt->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void on_violation(void *arg, const struct ioucmd_event *e)
{
	struct run_state *rs = arg;

	json_object_array_add(rs->violations, report_violation(rs->t, e, rs->opts->raw));
	violation_print(stderr, rs->t, e, rs->opts->raw);
}

static void on_life(void *arg, const struct ioucmd_event *e)
{
	struct run_state *rs = arg;

	chrome_trace_event(rs->events, rs->t, e);
}

static void make_job(const struct scenario_job *sj, struct submit_job *job, uint64_t stall_ns)
{
	memset(job, 0, sizeof(*job));
	job->device = sj->device;
	job->cmd_op = sj->cmd.cmd_op;
	job->data_len = scenario_cmd_payload(&sj->cmd, job->data, sizeof(job->data));
	job->entries = sj->ring.entries;
	job->sqe128 = sj->ring.sqe128;
	job->cqe32 = sj->ring.cqe32;
	job->sqpoll = sj->ring.sqpoll;
	job->iopoll = sj->ring.iopoll;
	job->single_issuer = sj->ring.single_issuer;
	job->defer_taskrun = sj->ring.defer_taskrun;
	job->fixed_buffers = sj->ring.fixed_buffers;
	job->qd = sj->load.qd;
	job->batch = sj->load.batch;
	job->threads = sj->load.threads;
	job->count = sj->load.count;
	job->duration_ns = sj->load.duration_ns;
	job->wait_timeout_ns = stall_ns + 2000000000ull;
	job->fuzz = sj->load.fuzz;
	job->fuzz_seed = sj->load.fuzz_seed;
	/* a reference command with a length and no address gets a buffer of that length */
	if (sj->cmd.kind == SCENARIO_CMD_REF && sj->cmd.len && !sj->cmd.arg) {
		job->buf_len = sj->cmd.len;
		job->buf_addr_off = 0;	/* struct ioucmd_ref_cmd.arg */
	}
}


static int run_job(struct run_state *rs, const struct scenario_job *sj, struct job_thread *jt,
		   uint64_t stall_ns)
{
	pthread_t th;
	int ret;

	make_job(sj, &jt->job, stall_ns);
	if (sj->cmd.kind == SCENARIO_CMD_NVME) {
		ret = nvme_prepare(sj->device, &sj->cmd, &jt->job, jt->err, sizeof(jt->err));
		if (ret)
			return ret;
	}
	if (pthread_create(&th, NULL, job_main, jt)) {
		snprintf(jt->err, sizeof(jt->err), "cannot start the submitting thread");
		return -EAGAIN;
	}
	while (!__atomic_load_n(&jt->finished, __ATOMIC_ACQUIRE)) {
		tracer_poll(rs->t, 50);
		tracer_sweep(rs->t, false);
	}
	/*
	 * A thread whose command is never completed cannot exit (io_uring waits for it in
	 * do_exit): keep judging for a stall timeout, then leave it behind rather than hang.
	 */
	for (uint64_t waited = 0;; waited += 50 * 1000000ull) {
		struct timespec deadline;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 50 * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		if (!pthread_timedjoin_np(th, NULL, &deadline))
			break;
		tracer_poll(rs->t, 0);
		tracer_sweep(rs->t, false);
		if (waited > stall_ns + 2000000000ull) {
			pthread_detach(th);
			printf("# %s: the submitting thread cannot exit; io_uring waits in do_exit "
			       "for a command that was never completed\n", sj->name);
			break;
		}
	}
	/*
	 * Abandoned commands met their cancel call when the ring closed: give the driver a stall
	 * timeout to answer it, so that cancel_not_completed is judged within this job.
	 */
	if (jt->res.abandoned) {
		uint64_t until = now_ns() + stall_ns + 200000000ull;

		while (now_ns() < until) {
			tracer_poll(rs->t, 50);
			tracer_sweep(rs->t, false);
		}
	}
	tracer_poll(rs->t, 0);
	return jt->ret;
}

/* ---- expectations ------------------------------------------------------------------------ */

static void judge_expects(struct run_state *rs, const char *prefix, const struct expect *ex,
			  size_t n, struct json_object *fields)
{
	for (size_t i = 0; i < n; i++) {
		char name[256], what[128], why[256];
		const char *rule = NULL;

		expect_format(&ex[i], what, sizeof(what));
		snprintf(name, sizeof(name), "%s: expect %s", prefix, what);
		if (!strncmp(ex[i].field, "violations.", 11))
			rule = ex[i].field + 11;
		for (int r = 0; rule && r < IOUCMD_RULE__COUNT; r++) {
			const char *unchecked = report_rule_unchecked(rs->t, r);

			if (!strcmp(rule, ioucmd_rule_name(r)) && unchecked) {
				snprintf(why, sizeof(why), "%s not checkable here: %s", rule, unchecked);
				skip(rs, name, why);
				goto next;
			}
		}
		switch (expect_eval(&ex[i], report_lookup, fields, why, sizeof(why))) {
		case EXPECT_PASS:
			check(rs, true, name, why);
			break;
		case EXPECT_FAIL:
			check(rs, false, name, why);
			break;
		default:
			skip(rs, name, why);
			break;
		}
next:;
	}
}

/* ---- built-in checks --------------------------------------------------------------------- */

static void consistency(struct run_state *rs, const char *prefix, struct json_object *f,
			bool has_driver)
{
	char name[256], detail[256];
	double cqes = field(f, "cqes"), completed = field(f, "completed");
	double bpf_cqes = field(f, "bpf_cqes"), violations = field(f, "violations");
	bool tp = tracer_backend(rs->t) == TRACER_TRACEPOINT;

	snprintf(name, sizeof(name), "%s: tracer counts agree with the CQEs reaped", prefix);
	if (violations > 0) {
		skip(rs, name, "violations were reported: counts are expected to disagree");
		return;
	}
	if (tp) {
		snprintf(detail, sizeof(detail), "submissions %.0f, BPF CQEs %.0f, CQEs reaped %.0f",
			 field(f, "issued"), bpf_cqes, cqes);
		check(rs, bpf_cqes == cqes && field(f, "issued") == cqes, name, detail);
	} else {
		/* commands left in flight when a job gave up complete at ring exit, unreaped */
		double abandoned = field(f, "abandoned");

		snprintf(detail, sizeof(detail), "completions (sync %.0f + done %.0f) %.0f, BPF CQEs "
			 "%.0f, CQEs reaped %.0f + abandoned %.0f, untracked %.0f",
			 field(f, "sync_returns"), field(f, "done"), completed, bpf_cqes, cqes,
			 abandoned, field(f, "untracked"));
		check(rs, completed == cqes + abandoned && bpf_cqes == cqes + abandoned &&
			  !field(f, "untracked"), name, detail);
	}
	if (has_driver && !tp) {
		snprintf(name, sizeof(name), "%s: driver counters agree with the tracer", prefix);
		/* the driver counts what it refuses apart; the tracer saw those handler calls too */
		snprintf(detail, sizeof(detail), "driver issued %.0f + rejected %.0f, completed %.0f, "
			 "queued %.0f; tracer issued %.0f done %.0f queued %.0f",
			 field(f, "driver.issued"), field(f, "driver.rejected"),
			 field(f, "driver.completed"), field(f, "driver.queued"), field(f, "issued"),
			 field(f, "done"), field(f, "queued"));
		check(rs, field(f, "driver.issued") + field(f, "driver.rejected") == field(f, "issued") &&
			  field(f, "driver.completed") == field(f, "done") &&
			  field(f, "driver.queued") == field(f, "queued"), name, detail);
	}
}

/* ---- the scenario ------------------------------------------------------------------------ */

static enum tracer_backend backend_of(enum scenario_backend b)
{
	switch (b) {
	case SCENARIO_BACKEND_FENTRY: return TRACER_FENTRY;
	case SCENARIO_BACKEND_KPROBE: return TRACER_KPROBE;
	case SCENARIO_BACKEND_TRACEPOINT: return TRACER_TRACEPOINT;
	default: return TRACER_AUTO;
	}
}

static bool uses_ref_driver(const struct scenario *sc)
{
	for (size_t j = 0; j < sc->nr_jobs; j++)
		if (!strcmp(sc->jobs[j].device, IOUCMD_REF_DEVPATH))
			return true;
	return false;
}

static void run_jobs(struct run_state *rs, uint64_t stall_ns, bool has_driver)
{
	const struct scenario *sc = rs->sc;
	struct json_object *jobs = json_object_new_array();
	struct submit_result all = { 0 };
	bool any_cqe32 = false;

	for (size_t j = 0; j < sc->nr_jobs; j++) {
		const struct scenario_job *sj = &sc->jobs[j];
		struct json_object *before = report_totals(rs->t), *after, *jf;
		struct job_thread *jt = calloc(1, sizeof(*jt));
		uint64_t hist_before[IOUCMD_HIST_BUCKETS], hist_after[IOUCMD_HIST_BUCKETS];
		bool have_hist;
		char prefix[160], name[256], detail[512];
		int ret;

		if (!jt)
			break;
		if (has_driver)
			driver_stats(before);
		have_hist = !report_latency_hist(rs->t, hist_before);
		ret = run_job(rs, sj, jt, stall_ns);
		have_hist = have_hist && !report_latency_hist(rs->t, hist_after);
		after = report_totals(rs->t);
		if (has_driver)
			driver_stats(after);
		jf = json_object_new_object();
		json_object_object_add(jf, "name", json_object_new_string(sj->name));
		json_object_object_add(jf, "device", json_object_new_string(sj->device));
		json_object_object_add(jf, "cmd_op", json_object_new_uint64(sj->cmd.cmd_op));
		add_delta(jf, before, after);
		if (has_driver) {
			drop_stats_reads(jf, 1);	/* the one after `before` */
			drop_driver_stats_read(jf);
		}
		if (have_hist)
			add_job_latency(jf, hist_before, hist_after);
		add_submit_fields(jf, &jt->res, sj->ring.cqe32);
		add_user_latency(jf, jt->res.lat);
		put(jf, "elapsed_ns", (double)jt->res.elapsed_ns);
		snprintf(prefix, sizeof(prefix), "%s/%s", rs->sc->path, sj->name);
		snprintf(name, sizeof(name), "%s: ran", prefix);
		snprintf(detail, sizeof(detail), "%llu submitted, %llu CQEs, %llu errors%s%s",
			 (unsigned long long)jt->res.submitted, (unsigned long long)jt->res.cqes,
			 (unsigned long long)jt->res.cqe_errors, ret ? "; " : "", ret ? jt->err : "");
		/* a command that never completes is a scenario's business (stalls): not a failure */
		check(rs, !ret || ret == -ETIME, name, detail);
		judge_expects(rs, prefix, sj->expects, sj->nr_expects, jf);
		json_object_array_add(jobs, jf);
		json_object_put(before);
		json_object_put(after);
		jt->res.elapsed_ns = 0;
		for (int b = 0; b < IOUCMD_HIST_BUCKETS; b++)
			all.lat[b] += jt->res.lat[b];
		all.submitted += jt->res.submitted;
		all.cqe_errors += jt->res.cqe_errors;
		if (jt->res.cqes) {
			if (!all.cqes || jt->res.res_min < all.res_min)
				all.res_min = jt->res.res_min;
			if (!all.cqes || jt->res.res_max > all.res_max)
				all.res_max = jt->res.res_max;
			if (sj->ring.cqe32) {
				if (!any_cqe32 || jt->res.res2_min < all.res2_min)
					all.res2_min = jt->res.res2_min;
				if (!any_cqe32 || jt->res.res2_max > all.res2_max)
					all.res2_max = jt->res.res2_max;
				any_cqe32 = true;
			}
		}
		all.cqes += jt->res.cqes;
		all.abandoned += jt->res.abandoned;
		free(jt);
	}
	json_object_object_add(rs->out, "jobs", jobs);
	json_object_object_add(rs->out, "submit_totals", json_object_new_object());
	add_submit_fields(json_object_object_get(rs->out, "submit_totals"), &all, any_cqe32);
	add_user_latency(json_object_object_get(rs->out, "submit_totals"), all.lat);
}

struct json_object *run_scenario(const struct scenario *sc, const struct run_opts *opts)
{
	struct run_state rs = { .sc = sc, .opts = opts };
	struct tracer_opts to = { .backend = backend_of(sc->backend) };
	struct json_object *fields, *handlers;
	uint64_t stall_ns = sc->stall_timeout_ns ? sc->stall_timeout_ns
			    : opts->stall_timeout_ns ? opts->stall_timeout_ns : DEFAULT_STALL_NS;
	bool has_driver = uses_ref_driver(sc);
	char err[1024], rel[128] = "", name[256];

	rs.out = json_object_new_object();
	rs.checks = json_object_new_array();
	rs.violations = json_object_new_array();
	json_object_object_add(rs.out, "file", json_object_new_string(sc->path));
	json_object_object_add(rs.out, "description", json_object_new_string(sc->description));
	json_object_object_add(rs.out, "source", json_object_new_string(sc->source));
	json_object_object_add(rs.out, "checks", rs.checks);
	json_object_object_add(rs.out, "violations", rs.violations);

	if (!kernel_at_least(sc->min_kernel_major, sc->min_kernel_minor, rel, sizeof(rel))) {
		snprintf(err, sizeof(err), "needs Linux %u.%u, this is %s", sc->min_kernel_major,
			 sc->min_kernel_minor, rel);
		skip(&rs, sc->path, err);
		json_object_object_add(rs.out, "result", json_object_new_string("skip"));
		return rs.out;
	}
	snprintf(name, sizeof(name), "%s: set up", sc->path);
	if (sc->module[0] && load_module(sc->module, sc->module_params, err, sizeof(err)))
		goto broken;
	if (choose_handlers(&rs, err, sizeof(err)))
		goto broken;
	for (int i = 0; i < rs.nr_handlers; i++)
		to.handlers[i] = rs.handlers[i];
	to.nr_handlers = rs.nr_handlers;
	to.stall_timeout_ns = stall_ns;
	to.first_stacks = true;	/* scenarios are for finding bugs: both stacks of a double */
	to.on_violation = on_violation;
	to.arg = &rs;
	if (opts->events_path) {
		rs.events = chrome_trace_open(opts->events_path, err, sizeof(err));
		if (!rs.events)
			goto broken;
		to.events = true;
		to.on_life = on_life;
	}
	rs.t = tracer_open(&to, err, sizeof(err));
	if (!rs.t)
		goto broken;
	/* auto may have fallen back: say which backend judges this run, and why not a better one */
	printf("# backend: %s%s%s%s\n", tracer_backend_name(tracer_backend(rs.t)),
	       tracer_fallback_why(rs.t)[0] ? " (better backends unavailable: " : "",
	       tracer_fallback_why(rs.t), tracer_fallback_why(rs.t)[0] ? ")" : "");

	run_jobs(&rs, stall_ns, has_driver);
	tracer_poll(rs.t, 100);
	tracer_sweep(rs.t, true);
	tracer_poll(rs.t, 0);

	fields = report_totals(rs.t);
	if (has_driver)
		drop_stats_reads(fields, 2.0 * sc->nr_jobs);	/* before and after each job */
	json_object_object_foreach(json_object_object_get(rs.out, "submit_totals"), k, v)
		json_object_object_add(fields, k, json_object_get(v));
	if (has_driver) {
		/* driver.* over the whole scenario: the sum of the jobs' differences */
		static const char *const dk[] = { "driver.issued", "driver.queued", "driver.completed",
			"driver.sync_returns", "driver.eagain", "driver.cancelled", "driver.rejected" };

		for (size_t i = 0; i < sizeof(dk) / sizeof(dk[0]); i++) {
			double sum = 0;
			struct json_object *jobs = json_object_object_get(rs.out, "jobs");

			for (size_t j = 0; j < json_object_array_length(jobs); j++)
				sum += field(json_object_array_get_idx(jobs, j), dk[i]);
			put(fields, dk[i], sum);
		}
	}
	json_object_object_add(rs.out, "totals", fields);
	handlers = json_object_new_array();
	for (int s = 0; s < tracer_nr_handlers(rs.t); s++)
		json_object_array_add(handlers, report_handler(rs.t, s));
	json_object_object_add(rs.out, "handlers", handlers);
	json_object_object_add(rs.out, "tracer", report_new(rs.t));
	consistency(&rs, sc->path, fields, has_driver);
	judge_expects(&rs, sc->path, sc->expects, sc->nr_expects, fields);
	json_object_object_add(rs.out, "result", json_object_new_string(rs.failed ? "fail" : "pass"));
	if (opts->judged)
		opts->judged(rs.out, opts->arg);
	tracer_close(rs.t);
	if (rs.events)
		chrome_trace_close(rs.events);
	return rs.out;
broken:
	check(&rs, false, name, err);
	json_object_object_add(rs.out, "result", json_object_new_string("fail"));
	if (opts->judged)
		opts->judged(rs.out, opts->arg);
	tracer_close(rs.t);
	if (rs.events)
		chrome_trace_close(rs.events);
	return rs.out;
}
