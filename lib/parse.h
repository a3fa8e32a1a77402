/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one parser of the values people type, on the command line and in scenario files alike,
 * so that `--stall-timeout 10`, `--stall-timeout 10s`, `stall_timeout = 10` and
 * `stall_timeout = 10s` all mean ten seconds:
 *
 *   number    decimal, or 0x and hex digits; nothing else: no sign, no spaces, and a leading 0
 *             is still decimal (no octal)
 *   size      a number with an optional k, m or g (1024-based): 512, 4k, 0x1000, 1m
 *   duration  a decimal number, a fraction allowed, and a unit ns, us, ms or s ("500ms", "1.5s",
 *             "2 s"); without a unit it counts seconds ("10" is "10s"), except where the caller
 *             asks for a unit (a time in an `expect` line: a bare number there would be read as
 *             nanoseconds by some and seconds by others). Whole nanoseconds only.
 *   cmd_op    a number that fits 32 bits, or a name from the cmd_op table (names.h), with or
 *             without its header's prefix, in any case: IOUCMD_REF_NOP_TW, NOP_TW, nop_tw
 *   value     a signed count of an expectation: [-+]number[.fraction], [-+]0xHEX or [-+]ENAME
 *             (an errno name: -EINVAL)
 *
 * Each returns 0, or -1 with why holding a clause about the value that names no key or option,
 * e.g. "must be between 1 and 32768, got '0'": the caller puts the key in front ("'qd' ...",
 * "-q ...").
 */
#ifndef IOUCMD_PARSE_H
#define IOUCMD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARSE_WHY_MAX		256	/* a buffer this large holds any clause for a short value */
#define PARSE_SECONDS		1000000000ull	/* parse_duration()'s unit_ns for seconds */

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t len);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out, char *why, size_t len);
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t len);
/*
 * unit_ns: what a number without a unit counts (PARSE_SECONDS), or 0 if a unit is required.
 * min_ns: the shortest accepted (1 where 0 makes no sense).
 */
int parse_duration(const char *s, uint64_t unit_ns, uint64_t min_ns, uint64_t *ns, char *why,
		   size_t len);
int parse_cmd_op(const char *s, uint32_t *out, char *why, size_t len);
int parse_bool(const char *s, bool *out, char *why, size_t len);
int parse_value(const char *s, double *out, char *why, size_t len);
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *why, size_t len);

/* ns in the largest unit that keeps it >= 1: "3.1ms", "750ns", "2s" */
void format_duration(double ns, char *buf, size_t len);

#endif /* IOUCMD_PARSE_H */
