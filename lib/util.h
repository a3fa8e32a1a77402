/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The small helpers every file of lib/ may use. */
#ifndef IOUCMD_UTIL_H
#define IOUCMD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* how lib/ hands back a sentence: into the caller's buffer, which may be NULL (not wanted) */
static inline void say(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

#endif /* IOUCMD_UTIL_H */
