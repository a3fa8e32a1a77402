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

void hist_print(FILE *out, const uint64_t *b, const char *label)
{
	uint64_t rows[64] = {0}, top = 0;
	int first = -1, last = -1;

	/* fold sub-buckets into powers of two of microseconds-from-nanoseconds: row r = [2^r, 2^(r+1)) ns */
	for (uint32_t i = 0; i < IOUCMD_HIST_BUCKETS; i++) {
		uint64_t lo = ioucmd_hist_lower(i);
		int r = lo ? (int)ioucmd_msb(lo) : 0;

		rows[r] += b[i];
	}
	for (int r = 0; r < 64; r++) {
		if (!rows[r])
			continue;
		if (first < 0)
			first = r;
		last = r;
		if (rows[r] > top)
			top = rows[r];
	}
	if (first < 0)
		return;
	fprintf(out, "%24s : %-10s |%-40s|\n", label, "count", "distribution");
	for (int r = first; r <= last; r++) {
		unsigned long long lo = 1ull << r, hi = (1ull << (r + 1)) - 1;
		int stars = (int)(rows[r] * 40 / top);
		char bar[41];

		memset(bar, '*', stars);
		bar[stars] = '\0';
		fprintf(out, "%11llu -> %-10llu : %-10llu |%-40s|\n", r ? lo : 0, hi,
			(unsigned long long)rows[r], bar);
	}
}
