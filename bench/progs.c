// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, what the kernel says of loaded programs and maps: run counts and run time
 * (kernel.bpf_stats_enabled), sizes after the verifier and after the JIT (bpf_prog_info), and
 * map memory as the kernel accounts it.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"

bool bpf_stats(bool on)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");

	if (!f)
		return false;
	fprintf(f, "%d\n", on);
	return !fclose(f);
}

static bool prog_info(const struct bpf_program *p, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(p);

	memset(info, 0, sizeof(*info));
	return fd >= 0 && !bpf_prog_get_info_by_fd(fd, info, &len);
}

int progs_cost(const struct bpf_object *obj, uint64_t cmds, struct prog_cost *out, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, (struct bpf_object *)obj) {
		struct bpf_prog_info info;
		struct prog_cost *c = &out[n];

		/* programs that never ran on this row have no cost to show */
		if (n == max || !prog_info(p, &info) || !info.run_cnt)
			continue;
		snprintf(c->name, sizeof(c->name), "%s", bpf_program__name(p));
		c->run_cnt = info.run_cnt;
		c->ns_per_call = (double)info.run_time_ns / info.run_cnt;
		c->calls_per_cmd = cmds ? (double)info.run_cnt / cmds : 0;
		c->xlated_insns = info.xlated_prog_len / 8;	/* struct bpf_insn is 8 bytes */
		c->jited_bytes = info.jited_prog_len;
		n++;
	}
	return n;
}

uint64_t progs_run_ns(const struct bpf_object *obj)
{
	struct bpf_program *p;
	uint64_t ns = 0;

	bpf_object__for_each_program(p, (struct bpf_object *)obj) {
		struct bpf_prog_info info;

		if (prog_info(p, &info))
			ns += info.run_time_ns;
	}
	return ns;
}

uint64_t maps_memlock(const struct bpf_object *obj)
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
