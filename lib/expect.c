// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The expectation language of scenario files: see expect.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "expect.h"
#include "cmd_state.h"	/* the rules: IOUCMD_FOR_EACH_RULE */
#include "names.h"
#include "parse.h"
#include "util.h"

struct field {
	const char *name;
	enum expect_kind kind;
};

#define RULE_FIELD(suffix, rule)	{ "violations." #rule, EXPECT_COUNT },

/* Every field an expectation may name. report_totals() and the run code provide the values. */
static const struct field fields[] = {
	/* the tracer's verdicts */
	{ "violations", EXPECT_COUNT },		/* all rules together */
	IOUCMD_FOR_EACH_RULE(RULE_FIELD)
	/* the tracer's counters (all traced handlers) */
	{ "issued", EXPECT_COUNT },		/* handler calls, reissues included */
	{ "queued", EXPECT_COUNT },		/* -EIOCBQUEUED returns */
	{ "sync_returns", EXPECT_COUNT },	/* returns the core completes itself */
	{ "eagain", EXPECT_COUNT },		/* -EAGAIN returns */
	{ "cancel_calls", EXPECT_COUNT },	/* calls with IO_URING_F_CANCEL */
	{ "done", EXPECT_COUNT },		/* io_uring_cmd_done() calls */
	{ "completed", EXPECT_COUNT },		/* sync_returns + done */
	{ "untracked", EXPECT_COUNT },		/* completions whose issue was not seen */
	{ "bpf_cqes", EXPECT_COUNT },		/* CQEs the tracer saw posted */
	/* the submitter's view, from the ring */
	{ "submitted", EXPECT_COUNT },		/* SQEs submitted */
	{ "cqes", EXPECT_COUNT },		/* CQEs reaped */
	{ "cqe_errors", EXPECT_COUNT },		/* CQEs with res < 0 */
	{ "abandoned", EXPECT_COUNT },		/* still in flight when the wait gave up */
	{ "res_checked", EXPECT_COUNT },	/* CQEs whose correct result was known */
	{ "res_mismatches", EXPECT_COUNT },	/* ... and that had another */
	{ "res.min", EXPECT_COUNT },		/* smallest and largest CQE res */
	{ "res.max", EXPECT_COUNT },
	{ "res2.min", EXPECT_COUNT },		/* the same for big CQEs' extra value */
	{ "res2.max", EXPECT_COUNT },
	/* command latency: issue to done(), or the time in the handler for sync commands */
	{ "latency.count", EXPECT_COUNT },
	{ "latency.p50", EXPECT_TIME },
	{ "latency.p90", EXPECT_TIME },
	{ "latency.p99", EXPECT_TIME },
	{ "latency.p999", EXPECT_TIME },
	{ "latency.max", EXPECT_TIME },
	/* the reference driver's own counters (struct ioucmd_ref_stats), summed over commands */
	{ "driver.issued", EXPECT_COUNT },
	{ "driver.queued", EXPECT_COUNT },
	{ "driver.completed", EXPECT_COUNT },
	{ "driver.sync_returns", EXPECT_COUNT },
	{ "driver.eagain", EXPECT_COUNT },
	{ "driver.cancelled", EXPECT_COUNT },
	{ "driver.rejected", EXPECT_COUNT },
};

static const char *const op_strs[] = {
	[EXPECT_EQ] = "==", [EXPECT_NE] = "!=", [EXPECT_LT] = "<",
	[EXPECT_LE] = "<=", [EXPECT_GT] = ">",  [EXPECT_GE] = ">=",
};

/* ---- the field list ------------------------------------------------------------------------ */

size_t expect_nr_fields(void)
{
	return ARRAY_SIZE(fields);
}

const char *expect_field_name(size_t i)
{
	return i < ARRAY_SIZE(fields) ? fields[i].name : NULL;
}

bool expect_field_kind(const char *field, enum expect_kind *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!strcmp(fields[i].name, field)) {
			if (kind)
				*kind = fields[i].kind;
			return true;
		}
	}
	return false;
}

bool expect_field_needs_cqe32(const char *field)
{
	return !strncmp(field, "res2.", 5);
}

const char *expect_op_str(enum expect_op op)
{
	return (unsigned)op < ARRAY_SIZE(op_strs) ? op_strs[op] : "?";
}

static const char *closest_field(const char *word)
{
	const char *names[ARRAY_SIZE(fields)];

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		names[i] = fields[i].name;
	return closest_name(word, names, ARRAY_SIZE(names));
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* ---- parsing an expectation ---------------------------------------------------------------- */

static bool is_field_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* the operator at *s; false if there is none. Advances *s past it. */
static bool parse_op(const char **s, enum expect_op *op)
{
	/* two-character operators first, so that "<=" is not read as "<" followed by "=" */
	static const enum expect_op order[] = {
		EXPECT_EQ, EXPECT_NE, EXPECT_LE, EXPECT_GE, EXPECT_LT, EXPECT_GT,
	};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *str = op_strs[order[i]];
		size_t len = strlen(str);

		if (!strncmp(*s, str, len)) {
			*op = order[i];
			*s += len;
			return true;
		}
	}
	return false;
}

static int parse_field(const char **s, struct expect *e, char *err, size_t errlen)
{
	const char *start = *s, *suggestion;
	size_t len = 0;

	while (is_field_char(start[len]))
		len++;
	if (!len) {
		say(err, errlen, "expected 'FIELD OP VALUE' (e.g. 'violations == 0'), got '%s'",
		    start);
		return -1;
	}
	if (len >= sizeof(e->field)) {
		say(err, errlen, "unknown field '%.*s'", (int)len, start);
		return -1;
	}
	memcpy(e->field, start, len);
	e->field[len] = '\0';
	if (!expect_field_kind(e->field, &e->kind)) {
		suggestion = closest_field(e->field);
		if (suggestion)
			say(err, errlen, "unknown field '%s'; did you mean '%s'?", e->field, suggestion);
		else
			say(err, errlen, "unknown field '%s' (the fields are listed in "
			    "scenarios/README.md)", e->field);
		return -1;
	}
	*s = start + len;
	return 0;
}

static int value_of(const char *s, struct expect *e, char *err, size_t errlen)
{
	char why[PARSE_WHY_MAX];
	size_t len = strlen(s);
	uint64_t ns;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len) {
		say(err, errlen, "missing value after '%s %s'", e->field, expect_op_str(e->op));
		return -1;
	}
	if (len >= sizeof(e->value_text)) {
		say(err, errlen, "value '%.*s' is too long", (int)len, s);
		return -1;
	}
	memcpy(e->value_text, s, len);
	e->value_text[len] = '\0';
	if (e->kind == EXPECT_COUNT) {
		if (!parse_value(e->value_text, &e->value, why, sizeof(why)))
			return 0;
		if (!parse_duration(e->value_text, 0, 0, &ns, NULL, 0))
			say(err, errlen, "'%s' is a time, but this field is a count: drop the unit",
			    e->value_text);
		else
			say(err, errlen, "'%s' %s", e->field, why);
		return -1;
	}
	/* a time: a bare number would silently mean nanoseconds, so it needs its unit */
	if (!parse_duration(e->value_text, 0, 0, &ns, why, sizeof(why))) {
		e->value = (double)ns;
		return 0;
	}
	if (isdigit((unsigned char)e->value_text[strlen(e->value_text) - 1]))
		say(err, errlen, "'%s' is a time: give '%s' a unit (ns, us, ms, s), e.g. '%sms'",
		    e->field, e->value_text, e->value_text);
	else
		say(err, errlen, "'%s' %s", e->field, why);
	return -1;
}

int expect_parse(const char *text, struct expect *e, char *err, size_t errlen)
{
	const char *s = skip_space(text);

	memset(e, 0, sizeof(*e));
	if (parse_field(&s, e, err, errlen))
		return -1;
	s = skip_space(s);
	if (!parse_op(&s, &e->op)) {
		if (*s == '=')
			say(err, errlen, "use '==' to compare '%s', not '='", e->field);
		else if (*s)
			say(err, errlen, "expected an operator (== != < <= > >=) after '%s', got '%s'",
			    e->field, s);
		else
			say(err, errlen, "expected an operator (== != < <= > >=) and a value after "
			    "'%s'", e->field);
		return -1;
	}
	return value_of(skip_space(s), e, err, errlen);
}

/* ---- evaluating ---------------------------------------------------------------------------- */

static bool compare(double have, enum expect_op op, double want)
{
	switch (op) {
	case EXPECT_EQ: return have == want;
	case EXPECT_NE: return have != want;
	case EXPECT_LT: return have < want;
	case EXPECT_LE: return have <= want;
	case EXPECT_GT: return have > want;
	case EXPECT_GE: return have >= want;
	}
	return false;
}

static void format_value(enum expect_kind kind, double v, char *buf, size_t len)
{
	if (kind == EXPECT_TIME)
		format_duration(v, buf, len);
	else if (v == (double)(long long)v && v < 1e18 && v > -1e18)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%g", v);
}

enum expect_result expect_eval(const struct expect *e, expect_lookup_fn lookup, void *ctx,
			       char *why, size_t whylen)
{
	double have;
	char shown[32];

	if (!lookup(ctx, e->field, &have)) {
		say(why, whylen, "the report has no field '%s'", e->field);
		return EXPECT_UNKNOWN_FIELD;
	}
	format_value(e->kind, have, shown, sizeof(shown));
	if (compare(have, e->op, e->value)) {
		say(why, whylen, "%s = %s, as expected (%s %s)", e->field, shown,
		    expect_op_str(e->op), e->value_text);
		return EXPECT_PASS;
	}
	say(why, whylen, "%s = %s, expected %s %s", e->field, shown, expect_op_str(e->op),
	    e->value_text);
	return EXPECT_FAIL;
}

void expect_format(const struct expect *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s", e->field, expect_op_str(e->op), e->value_text);
}
