/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The expectation language of scenario files: `expect = FIELD OP VALUE`, for example
 *
 *	expect = violations == 0
 *	expect = violations.double_completion >= 1
 *	expect = latency.p99 < 2ms
 *	expect = res.min == -EINVAL
 *
 * FIELD is a flat, dotted name of a report field (the list is in expect.c and in
 * scenarios/README.md); OP is one of == != < <= > >=; VALUE is a number for count fields
 * (decimal, 0x hex, a fraction, or an errno name such as -EINVAL) and a duration with a unit
 * (ns, us, ms, s) for time fields. expect_parse() rejects unknown fields and values of the wrong
 * kind, so a scenario with a typo never runs.
 *
 * Evaluation is decoupled from the report: the caller passes a lookup function that returns a
 * field's value (times in nanoseconds); report_lookup() in report.h has the right signature.
 *
 * VALUE is parsed by parse.h (parse_value(), parse_duration() with a unit required).
 */
#ifndef IOUCMD_EXPECT_H
#define IOUCMD_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPECT_FIELD_MAX	48	/* longest field name + 1 */
#define EXPECT_TEXT_MAX		32	/* longest VALUE as written + 1 */

enum expect_op {
	EXPECT_EQ,	/* == */
	EXPECT_NE,	/* != */
	EXPECT_LT,	/* <  */
	EXPECT_LE,	/* <= */
	EXPECT_GT,	/* >  */
	EXPECT_GE,	/* >= */
};

/* what a field counts: plain numbers, or times (always nanoseconds in values and lookups) */
enum expect_kind {
	EXPECT_COUNT,
	EXPECT_TIME,
};

/* one parsed `expect =` line */
struct expect {
	char field[EXPECT_FIELD_MAX];		/* "latency.p99" */
	enum expect_op op;
	enum expect_kind kind;			/* the field's kind */
	double value;				/* counts as written; times in ns */
	char value_text[EXPECT_TEXT_MAX];	/* VALUE as written ("2ms"), for messages */
	int line;				/* line in the scenario file; 0 if none */
};

enum expect_result {
	EXPECT_PASS = 0,
	EXPECT_FAIL = 1,
	EXPECT_UNKNOWN_FIELD = 2,	/* the lookup had no such field (e.g. not measured here) */
};

/*
 * Returns nonzero and sets *out when the report has `field`; 0 when it does not.
 * Time fields must be returned in nanoseconds.
 */
typedef int (*expect_lookup_fn)(void *ctx, const char *field, double *out);

/*
 * Parses "FIELD OP VALUE" (spaces around OP optional) into *e (e->line is left 0).
 * Returns 0, or -1 with a sentence in err, e.g. "unknown field 'latncy.p99'; did you mean
 * 'latency.p99'?" or "'latency.p99' is a time: give a unit, e.g. '2ms'".
 */
int expect_parse(const char *text, struct expect *e, char *err, size_t errlen);

/*
 * Checks e against the report through lookup(ctx, ...). why (may be NULL) gets a sentence:
 * pass "latency.p99 = 1.2ms, as expected (< 2ms)", fail "latency.p99 = 3.1ms, expected < 2ms",
 * unknown "the report has no field 'latency.p99'".
 */
enum expect_result expect_eval(const struct expect *e, expect_lookup_fn lookup, void *ctx,
			       char *why, size_t whylen);

/* "latency.p99 < 2ms": the expectation as a KTAP test point name */
void expect_format(const struct expect *e, char *buf, size_t len);

/* "==", "<", ... */
const char *expect_op_str(enum expect_op op);

/* the known report fields, for help texts and documentation: index 0 .. expect_nr_fields()-1 */
size_t expect_nr_fields(void);
const char *expect_field_name(size_t i);
/* whether field is known, and its kind */
bool expect_field_kind(const char *field, enum expect_kind *kind);
/* fields only a 32-byte CQE can carry (res2.*): scenarios must set cqe32 = 1 to use them */
bool expect_field_needs_cqe32(const char *field);

#endif /* IOUCMD_EXPECT_H */
