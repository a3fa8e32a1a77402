// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "hist.h"

static double bucket_mid(uint32_t b)
{
	double lo = (double)ioucmd_hist_lower(b);
	double hi = b + 1 < IOUCMD_HIST_BUCKETS ? (double)ioucmd_hist_lower(b + 1) : lo * 1.125;

	return (lo + hi) / 2;
}

double hist_percentile(const uint64_t *b, uint64_t count, double q)
{
	uint64_t rank, seen = 0;

	if (!count)
		return 0;
	rank = (uint64_t)(q * (double)count);
	if (rank >= count)
		rank = count - 1;
	for (uint32_t i = 0; i < IOUCMD_HIST_BUCKETS; i++) {
		seen += b[i];
		if (seen > rank)
			return bucket_mid(i);
	}
	return 0;
}

void hist_summarize(const uint64_t *b, struct hist_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < IOUCMD_HIST_BUCKETS; i++) {
		s->count += b[i];
		if (b[i])
			s->max = i + 1 < IOUCMD_HIST_BUCKETS ? (double)ioucmd_hist_lower(i + 1) : 0;
	}
	s->p50 = hist_percentile(b, s->count, 0.50);
	s->p90 = hist_percentile(b, s->count, 0.90);
	s->p99 = hist_percentile(b, s->count, 0.99);
	s->p999 = hist_percentile(b, s->count, 0.999);
}
