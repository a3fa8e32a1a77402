/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ioucmd-bench: what its files share (main.c runs the rows; the rest one job each). */
#ifndef IOUCMD_BENCH_H
#define IOUCMD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

struct submit_job;
struct submit_result;
struct tracer;
struct bpf_object;

/* the configurations of a row, in the order a round runs them (names in config.c) */
enum config {
	CF_UNTRACED,		/* nothing attached */
	CF_FLOOR,		/* empty programs where the tracer attaches */
	CF_FLOOR_CLOCK,		/* the same with the two clock reads of a latency histogram */
	CF_IOUCMD,		/* the tracer narrowed to the row's handler (-H) */
	CF_IOUCMD_ALL,		/* the tracer with no handler option: every handler */
	CF_IOUCMD_EVENTS,	/* the narrowed tracer streaming every step (--events) */
	CF_BPFTRACE,		/* bpftrace's usual latency histogram */
	CONFIGS,
};
extern const char *const config_names[CONFIGS];
/* the configuration called name, or -1 */
int config_by_name(const char *name);
/* the configurations that load our own BPF programs (their statistics are ours to read) */
static inline bool config_has_progs(enum config c)
{
	return c != CF_UNTRACED && c != CF_BPFTRACE;
}
static inline bool config_is_tracer(enum config c)
{
	return c == CF_IOUCMD || c == CF_IOUCMD_ALL || c == CF_IOUCMD_EVENTS;
}

/*
 * what a round's ns are: real time; QEMU -icount's guest clock (one ns per guest instruction);
 * or the CPU time of the process that submits (a shared host: time other processes take the
 * CPU is not counted; every row's work runs in the submitter on the tracepoint backend's
 * synchronous rows)
 */
enum bench_clock { CLOCK_WALL, CLOCK_ICOUNT, CLOCK_CPU, CLOCKS };
extern const char *const clock_names[CLOCKS];

#define BENCH_ROUNDS_MAX	64
#define BENCH_PROGS_MAX		16

/* one BPF program's cost, from the kernel's statistics and its bpf_prog_info */
struct prog_cost {
	char name[32];
	uint64_t run_cnt;
	double ns_per_call;
	double calls_per_cmd;
	uint32_t xlated_insns;	/* xlated_prog_len / 8: instructions after the verifier */
	uint32_t jited_bytes;	/* jited_prog_len: x86 machine code */
};

/*
 * What one child process measured of one configuration of one row, in memory it shares with
 * the bench: ns/command of each round it ran, and from the statistics round (the last one of
 * the row, with kernel.bpf_stats_enabled) the BPF time per command and each program's cost.
 */
struct sample {
	double ns[BENCH_ROUNDS_MAX + 1];
	double prog_ns;
	struct prog_cost progs[BENCH_PROGS_MAX];
	int nr_progs;
	uint64_t violations, untracked, cqes, completed, lost;
	uint64_t map_bytes;
	unsigned int bpftrace_resends;	/* SIGINTs bpftrace missed (bpftrace.c) */
};

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
	double overhead[CONFIGS];	/* median over rounds of ns/command - untraced's, same round */
	double prog_ns[CONFIGS];	/* BPF run time per command, from bpf_stats */
	struct prog_cost progs[CONFIGS][BENCH_PROGS_MAX];
	int nr_progs[CONFIGS];
	/* the tracer's own account, over every round of its configurations */
	uint64_t violations, untracked, cqes, completed, lost;
	bool counts_ok;
	bool ran[CONFIGS];
	char failed[CONFIGS][320];	/* why a configuration that should have run has no number */
	double secs;		/* how long the row took (the guest's clock) */
};

struct bench {
	unsigned int rounds;
	uint64_t count;
	enum bench_clock clock;
	bool fentry;		/* else the tracepoint backend and floor */
	bool quick;
	uint64_t watchdog_ns;	/* a configuration this long without progress fails */
	bool want[CONFIGS];	/* --configs */
	char not_run[CONFIGS][256];	/* a configuration left out of every row, and why */
	uint64_t map_bytes[CONFIGS];	/* BPF map memory (memlock) of each configuration */
	unsigned int bpftrace_resends;
	struct row rows[32];
	int nr_rows;
	int failures;		/* configurations of rows that failed */
	uint64_t start_ns;
	double secs;
};

/* measure.c: one configuration of one row, rounds [first, first + n), in this process */
struct watch;
int measure(const struct bench *b, const struct row *r, enum config c, unsigned int first,
	    unsigned int n, struct sample *s, struct watch *w, char *err, size_t errlen);
/* the floor's programs of a row (empty, or with the clock reads) loaded and attached */
struct floor_bpf;
struct floor_bpf *floor_open(const struct row *r, bool fentry, bool clock, char *err,
			     size_t errlen);

/*
 * watchdog.c: fn runs in a child process of its own (its own process group, so that what it
 * started goes with it); it reports progress through watch_beat(). When no progress comes for
 * quiet_ns of this machine's clock, the group is killed and -ETIMEDOUT returned with the phase it
 * was in named in err. Returns fn's result otherwise (err filled by fn on failure).
 */
struct watch {
	uint64_t beats;		/* anything that moves is progress */
	uint64_t cqes;		/* the workload's CQEs (submit_job.progress) */
	char phase[64];		/* what the child is doing */
	char err[512];
	int ret;
};
void watch_beat(struct watch *w, const char *phase);
int watchdog_run(int (*fn)(void *arg, struct watch *w), void *arg, uint64_t quiet_ns,
		 char *err, size_t errlen);
/* memory the child's writes reach the bench through (MAP_SHARED); NULL on failure */
void *shared_alloc(size_t len);
void shared_free(void *p, size_t len);

/* progs.c: the kernel's statistics and sizes of obj's programs; map memory */
int progs_cost(const struct bpf_object *obj, uint64_t cmds, struct prog_cost *out, int max);
uint64_t progs_run_ns(const struct bpf_object *obj);
uint64_t maps_memlock(const struct bpf_object *obj);
bool bpf_stats(bool on);

/* output.c: the tables on stdout, bench.json and bench.svg */
void output_tables(const struct bench *b, bool verbose);
struct json_object *output_json(const struct bench *b);
void output_svg(const struct bench *b, const char *path);

/* accuracy.c: DELAY rows, requested vs ground truth vs ioucmd vs user space */
struct json_object *bench_accuracy(bool quick, struct watch *w, char *err, size_t errlen);
/* job run under a fresh tracer of the reference driver's handler (fentry); NULL and err */
struct tracer *bench_traced_run(const struct submit_job *job, struct submit_result *res,
				char *err, size_t errlen);

/* overload.c: twice the in-flight map's capacity in flight */
struct json_object *bench_overload(struct watch *w, char *err, size_t errlen);

/* fio.c: NVMe passthrough reads by fio's io_uring_cmd engine */
#define BENCH_NVME_DEV		"/dev/ng0n1"
bool fio_available(void);
int fio_run(const char *device, unsigned int qd, uint64_t ios, uint64_t *elapsed_ns, char *err,
	    size_t errlen);

/* bpftrace.c: bpftrace's usual latency histogram, attached around a workload */
struct bpftrace_run {
	pid_t pid;
	int out;		/* its stdout and stderr */
	char text[16384];	/* what it printed */
	unsigned int resends;	/* SIGINTs sent again because bpftrace missed one */
};

bool bpftrace_available(char *why, size_t len);
int bpftrace_start(struct bpftrace_run *b, bool fentry, const char *handler, const char *module,
		   bool async, struct watch *w, char *err, size_t errlen);
int bpftrace_stop(struct bpftrace_run *b, struct watch *w, char *err, size_t errlen);

#endif /* IOUCMD_BENCH_H */
