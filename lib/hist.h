/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Latency histograms from the BPF side (log-linear buckets, bpf/ioucmd.h): their percentiles. */
#ifndef IOUCMD_HIST_H
#define IOUCMD_HIST_H

#include <stdint.h>
#include <stdio.h>
#include "ioucmd.h"

struct hist_summary {
	uint64_t count;
	double p50, p90, p99, p999, max;	/* nanoseconds */
};

/*
 * Percentiles are the midpoint of the bucket the rank falls in: with 2^IOUCMD_HIST_SUB
 * sub-buckets per octave the relative error is at most half a bucket, 1/2^(SUB+1) = 6.25 %.
 */
void hist_summarize(const uint64_t *b, struct hist_summary *s);
double hist_percentile(const uint64_t *b, uint64_t count, double q);

#endif /* IOUCMD_HIST_H */
