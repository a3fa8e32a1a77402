/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --events output: each command's timeline (issue, return, done, CQE) as Chrome trace-event
 * JSON, which Perfetto and chrome://tracing open. One async track per command life.
 */
#ifndef IOUCMD_CHROME_TRACE_H
#define IOUCMD_CHROME_TRACE_H

#include <stdio.h>
#include "tracer.h"

struct chrome_trace;

struct chrome_trace *chrome_trace_open(const char *path, char *err, size_t errlen);
void chrome_trace_event(struct chrome_trace *ct, struct tracer *t, const struct ioucmd_event *e);
/* closes the JSON; returns how many events were written, or -1 on a write error */
long chrome_trace_close(struct chrome_trace *ct);

#endif /* IOUCMD_CHROME_TRACE_H */
