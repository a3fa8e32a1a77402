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

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf into an optional buffer */
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

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

/* ---- "did you mean" ------------------------------------------------------------------------ */

/* Levenshtein distance, case-insensitive; words here are short (< 64 characters) */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* one is the other plus a tail ("qdepth" and "qd"): a common way to misremember a key */
static bool shares_prefix(const char *word, const char *cand)
{
	size_t lw = strlen(word), lc = strlen(cand), n = lw < lc ? lw : lc;

	return n >= 2 && !strncasecmp(word, cand, n);
}

const char *expect_closest(const char *word, const char *const *candidates, size_t n)
{
	/* a third of the word may be wrong: "latncy" is latency, "foo" is not "qd" */
	size_t limit = strlen(word) / 3 ? strlen(word) / 3 : 1, best = (size_t)-1;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best) {
			best = d;
			found = candidates[i];
		}
	}
	if (found && best <= limit)
		return found;
	for (size_t i = 0; i < n; i++)
		if (shares_prefix(word, candidates[i]))
			return candidates[i];
	return NULL;
}

static const char *closest_field(const char *word)
{
	const char *names[ARRAY_SIZE(fields)];

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		names[i] = fields[i].name;
	return expect_closest(word, names, ARRAY_SIZE(names));
}

/* ---- numbers and durations ----------------------------------------------------------------- */

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* decimal digits into *v; false on overflow. *end is set past the digits. */
static bool parse_digits(const char *s, uint64_t *v, size_t *ndigits, const char **end)
{
	uint64_t r = 0;
	size_t n = 0;

	for (; isdigit((unsigned char)*s); s++, n++) {
		unsigned d = (unsigned)(*s - '0');

		if (r > (UINT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	*v = r;
	*ndigits = n;
	*end = s;
	return true;
}

struct unit {
	const char *name;
	uint64_t ns;
};

static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
};

static const struct unit *find_time_unit(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(time_units); i++)
		if (!strcmp(s, time_units[i].name))
			return &time_units[i];
	return NULL;
}

int expect_parse_duration(const char *text, uint64_t *ns, char *err, size_t errlen)
{
	const char *s = skip_space(text), *p;
	uint64_t whole, frac = 0, scale = 1, total;
	size_t nwhole, nfrac = 0;
	const struct unit *u;
	char unit[8];
	size_t ulen;

	if (!parse_digits(s, &whole, &nwhole, &p)) {
		say(err, errlen, "duration '%s' is too large", text);
		return -1;
	}
	if (!nwhole) {
		say(err, errlen, "'%s' is not a duration: expected a number and a unit, e.g. '5s', "
			"'500ms'", text);
		return -1;
	}
	if (*p == '.') {
		const char *f = p + 1;

		/* nanoseconds are the finest unit: more than 9 decimals cannot be whole */
		if (!parse_digits(f, &frac, &nfrac, &p) || !nfrac || nfrac > 9) {
			say(err, errlen, "bad fraction in duration '%s'", text);
			return -1;
		}
		for (size_t i = 0; i < nfrac; i++)
			scale *= 10;
	}
	p = skip_space(p);
	ulen = strlen(p);
	while (ulen && isspace((unsigned char)p[ulen - 1]))
		ulen--;
	if (!ulen) {
		say(err, errlen, "duration '%s' needs a unit: ns, us, ms or s (e.g. '%.*s%s')",
		    text, (int)(p - s), s, "ms");
		return -1;
	}
	if (ulen >= sizeof(unit)) {
		say(err, errlen, "unknown unit '%.*s' in duration '%s': use ns, us, ms or s",
		    (int)ulen, p, text);
		return -1;
	}
	memcpy(unit, p, ulen);
	unit[ulen] = '\0';
	u = find_time_unit(unit);
	if (!u) {
		say(err, errlen, "unknown unit '%s' in duration '%s': use ns, us, ms or s", unit, text);
		return -1;
	}
	if (whole > UINT64_MAX / u->ns) {
		say(err, errlen, "duration '%s' is too large", text);
		return -1;
	}
	/* frac < scale <= 1e9 and u->ns <= 1e9, so the product fits in 64 bits */
	if ((frac * u->ns) % scale) {
		say(err, errlen, "duration '%s' is not a whole number of nanoseconds", text);
		return -1;
	}
	total = whole * u->ns;
	if (total > UINT64_MAX - frac * u->ns / scale) {
		say(err, errlen, "duration '%s' is too large", text);
		return -1;
	}
	*ns = total + frac * u->ns / scale;
	return 0;
}

void expect_format_duration(double ns, char *buf, size_t len)
{
	const struct unit *u = &time_units[0];

	for (size_t i = 1; i < ARRAY_SIZE(time_units); i++)
		if (ns >= (double)time_units[i].ns || -ns >= (double)time_units[i].ns)
			u = &time_units[i];
	snprintf(buf, len, "%.4g%s", ns / (double)u->ns, u->name);
}

/* "EINVAL" → 22; 0 if it is not an errno name */
static int errno_by_name(const char *name)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return 0;
}

/* the digits after 0x, into *v; false if there are none, or too many */
static bool parse_hex(const char *s, uint64_t *v, const char **end)
{
	uint64_t r = 0;
	size_t n = 0;

	for (; isxdigit((unsigned char)*s); s++, n++) {
		if (r >> 60)
			return false;
		r = r << 4 | (uint64_t)(isdigit((unsigned char)*s) ? *s - '0' :
					 tolower((unsigned char)*s) - 'a' + 10);
	}
	*v = r;
	*end = s;
	return n > 0;
}

/*
 * A count VALUE: [-]decimal[.fraction], [-]0xHEX, or [-]ENAME (an errno). Parsed by hand rather
 * than with strtod so that the locale cannot change it and "inf"/"nan" are not numbers.
 */
static int parse_count(const char *text, double *out, char *err, size_t errlen)
{
	const char *s = text, *p;
	bool neg = false;
	uint64_t whole, frac;
	size_t n, nfrac;
	double v;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == 'E' && isupper((unsigned char)s[1])) {
		int e = errno_by_name(s);

		if (!e) {
			say(err, errlen, "unknown errno name '%s'", s);
			return -1;
		}
		*out = neg ? -e : e;
		return 0;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!parse_hex(s + 2, &whole, &p) || *p) {
			say(err, errlen, "'%s' is not a hex number", text);
			return -1;
		}
		v = (double)whole;
	} else {
		if (!parse_digits(s, &whole, &n, &p) || !n) {
			say(err, errlen, "'%s' is not a number", text);
			return -1;
		}
		v = (double)whole;
		if (*p == '.') {
			if (!parse_digits(p + 1, &frac, &nfrac, &p) || !nfrac || nfrac > 18) {
				say(err, errlen, "'%s' is not a number", text);
				return -1;
			}
			double scale = 1;

			for (size_t i = 0; i < nfrac; i++)
				scale *= 10;
			v += (double)frac / scale;
		}
		if (*p) {
			uint64_t unused;

			if (!expect_parse_duration(text, &unused, NULL, 0))
				say(err, errlen, "'%s' is a time, but this field is a count: drop the "
				    "unit", text);
			else
				say(err, errlen, "'%s' is not a number", text);
			return -1;
		}
	}
	*out = neg ? -v : v;
	return 0;
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

static int parse_value(const char *s, struct expect *e, char *err, size_t errlen)
{
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
	if (e->kind == EXPECT_COUNT)
		return parse_count(e->value_text, &e->value, err, errlen);
	/* a time: a bare number would silently mean nanoseconds, so it needs its unit */
	if (!expect_parse_duration(e->value_text, &ns, NULL, 0)) {
		e->value = (double)ns;
		return 0;
	}
	if (isdigit((unsigned char)e->value_text[strlen(e->value_text) - 1]))
		say(err, errlen, "'%s' is a time: give '%s' a unit (ns, us, ms, s), e.g. '%sms'",
		    e->field, e->value_text, e->value_text);
	else
		expect_parse_duration(e->value_text, &ns, err, errlen);
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
	return parse_value(skip_space(s), e, err, errlen);
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
		expect_format_duration(v, buf, len);
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
