/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ioucmd bench's parts beside the main table (cmd_bench.c). */
#ifndef IOUCMD_BENCH_H
#define IOUCMD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>

/* bench_accuracy.c: DELAY rows, requested vs ground truth vs ioucmd vs user space */
struct json_object *bench_accuracy(bool quick, char *err, size_t errlen);

/* bench_overload.c: twice the in-flight map's capacity in flight */
struct json_object *bench_overload(char *err, size_t errlen);

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
