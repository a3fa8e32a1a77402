/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads, so user and BPF times compare. */
#ifndef IOUCMD_CLOCK_H
#define IOUCMD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif /* IOUCMD_CLOCK_H */
