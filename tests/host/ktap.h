/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Minimal KTAP (kselftest) output for host tests: "ok N - name" / "not ok N - name", and exit
 * status 0 pass / 1 fail (kselftest's convention; 4 would be skip, unused on the host).
 */
#ifndef IOUCMD_KTAP_H
#define IOUCMD_KTAP_H

#include <stdio.h>

static int ktap_n, ktap_failed;

static inline void ktap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
}

static inline void ktap_result(int ok, const char *name)
{
	ktap_n++;
	if (!ok)
		ktap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ktap_n, name);
}

static inline int ktap_finish(void)
{
	printf("# %d passed, %d failed\n", ktap_n - ktap_failed, ktap_failed);
	return ktap_failed ? 1 : 0;
}

#endif /* IOUCMD_KTAP_H */
