/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Terminal text for a trace: features, per-handler counts and latency. */
#ifndef IOUCMD_TRACE_PRINT_H
#define IOUCMD_TRACE_PRINT_H

#include <stdint.h>
#include <stdio.h>
#include "tracer.h"

void trace_print_features(FILE *out, struct tracer *t);
void trace_print_summary(FILE *out, struct tracer *t);
uint64_t trace_total_violations(struct tracer *t);

#endif /* IOUCMD_TRACE_PRINT_H */
