/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ioucmd bench's parts beside the main table (cmd_bench.c). */
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

/* bench_accuracy.c: DELAY rows, requested vs ground truth vs ioucmd vs user space */
struct json_object *bench_accuracy(bool quick, char *err, size_t errlen);
/* job run under a fresh tracer of the reference driver's handler (fentry); NULL and err */
struct tracer *bench_traced_run(const struct submit_job *job, struct submit_result *res,
				char *err, size_t errlen);

/* bench_overload.c: twice the in-flight map's capacity in flight */
struct json_object *bench_overload(char *err, size_t errlen);

/* bench_fio.c: NVMe passthrough reads by fio's io_uring_cmd engine */
#define BENCH_NVME_DEV		"/dev/ng0n1"
#define BENCH_NVME_HANDLER	"nvme_ns_head_chr_uring_cmd"
bool fio_available(void);
int fio_run(const char *device, unsigned int qd, uint64_t ios, uint64_t *elapsed_ns, char *err,
	    size_t errlen);

/* bench_bpftrace.c: bpftrace's usual latency histogram, attached around a workload */
struct bpftrace_run {
	pid_t pid;
	int out;		/* its stdout and stderr */
	char text[16384];	/* what it printed */
};

bool bpftrace_available(char *why, size_t len);
int bpftrace_start(struct bpftrace_run *b, bool fentry, const char *handler, const char *module,
		   bool async, char *err, size_t errlen);
int bpftrace_stop(struct bpftrace_run *b, char *err, size_t errlen);

#endif /* IOUCMD_BENCH_H */
