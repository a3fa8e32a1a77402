/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Terminal text, rendered from the live tracer (not from a saved report): violations as they
 * arrive, what this kernel lets the tracer check, per-handler counts and latency histograms.
 */
#ifndef IOUCMD_TEXT_H
#define IOUCMD_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include "tracer.h"

/* one violation, with its symbolized stacks; raw: unhashed command pointers */
void text_violation(FILE *out, struct tracer *t, const struct ioucmd_event *e, int raw);
/* the backend, and each rule this kernel and backend cannot (fully) judge */
void text_features(FILE *out, struct tracer *t);
/* per handler: counters, violations by rule, latency per cmd_op */
void text_summary(FILE *out, struct tracer *t);
/* power-of-two rows with star bars, like biolatency */
void text_hist(FILE *out, const uint64_t *b, const char *unit_label);

#endif /* IOUCMD_TEXT_H */
