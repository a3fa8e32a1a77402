// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one parser of numbers, sizes, durations, cmd_ops and expectation values: see parse.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "names.h"
#include "parse.h"
#include "util.h"

/* ---- the lexer every number goes through -------------------------------------------------- */

/* digits of base at s into *v (saturating, *overflow set); returns how many, *end after them */
static size_t lex_digits(const char *s, unsigned int base, uint64_t *v, bool *overflow,
			 const char **end)
{
	uint64_t r = 0;
	size_t n = 0;

	for (; isxdigit((unsigned char)*s); s++, n++) {
		unsigned int d = isdigit((unsigned char)*s) ? (unsigned int)(*s - '0') :
				 (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);

		if (d >= base)
			break;
		if (r > (UINT64_MAX - d) / base)
			*overflow = true;
		r = r * base + d;
	}
	*v = r;
	*end = s;
	return n;
}

/* a number: decimal, or 0x and hex digits; false if there are no digits */
static bool lex_whole(const char *s, uint64_t *v, bool *overflow, const char **end)
{
	unsigned int base = 10;

	*overflow = false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	return lex_digits(s, base, v, overflow, end) > 0;
}

/* ---- numbers and sizes ----------------------------------------------------------------------- */

static int number(const char *s, bool size, uint64_t min, uint64_t max, uint64_t *out, char *why,
		  size_t len)
{
	const char *what = size ? "a number (with an optional k, m or g suffix)" :
			   "a number (decimal or 0x hex)";
	const char *end;
	uint64_t v, mult = 1;
	bool overflow;

	if (s[0] == '-') {
		say(why, len, "cannot be negative, got '%s'", s);
		return -1;
	}
	if (!lex_whole(s, &v, &overflow, &end)) {
		say(why, len, "expects %s, got '%s'", what, s);
		return -1;
	}
	if (size && *end && !end[1]) {
		const char *p = strchr("kmg", tolower((unsigned char)*end));

		if (p) {
			mult = 1ull << (10 * (p - "kmg" + 1));
			end++;
		}
	}
	if (*end) {
		say(why, len, "expects %s, got '%s'", what, s);
		return -1;
	}
	if (overflow || v > UINT64_MAX / mult || v * mult < min || v * mult > max) {
		say(why, len, "must be between %llu and %llu, got '%s'", (unsigned long long)min,
		    (unsigned long long)max, s);
		return -1;
	}
	*out = v * mult;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t len)
{
	return number(s, false, min, max, out, why, len);
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out, char *why, size_t len)
{
	uint64_t v;

	if (number(s, false, min, max, &v, why, len))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why, size_t len)
{
	return number(s, true, min, max, out, why, len);
}

/* ---- durations ------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	uint64_t ns;
} time_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
};

static uint64_t time_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(time_units); i++)
		if (strlen(time_units[i].name) == n && !strncmp(s, time_units[i].name, n))
			return time_units[i].ns;
	return 0;
}

int parse_duration(const char *s, uint64_t unit_ns, uint64_t min_ns, uint64_t *ns, char *why,
		   size_t len)
{
	const char *forms = unit_ns ? "seconds, or a number with ns, us, ms or s: 500ms, 1.5s" :
			    "a number with ns, us, ms or s: 500ms, 1.5s";
	const char *p = s, *end;
	uint64_t whole, frac = 0, scale = 1, unit, total;
	bool overflow = false;
	size_t nfrac = 0, ulen;

	while (isspace((unsigned char)*p))
		p++;
	if (!lex_digits(p, 10, &whole, &overflow, &end)) {
		say(why, len, "expects a duration (%s), got '%s'", forms, s);
		return -1;
	}
	p = end;
	if (*p == '.') {
		/* nanoseconds are the finest unit: more than 9 decimals cannot be whole */
		nfrac = lex_digits(p + 1, 10, &frac, &overflow, &end);
		if (!nfrac || nfrac > 9) {
			say(why, len, "%s, got '%s'", nfrac ? "is not a whole number of nanoseconds" :
			    "has a bad fraction", s);
			return -1;
		}
		for (size_t i = 0; i < nfrac; i++)
			scale *= 10;
		p = end;
	}
	while (isspace((unsigned char)*p))
		p++;
	ulen = strlen(p);
	while (ulen && isspace((unsigned char)p[ulen - 1]))
		ulen--;
	if (!ulen && !unit_ns) {
		say(why, len, "needs a unit: ns, us, ms or s, got '%s'", s);
		return -1;
	}
	unit = ulen ? time_unit(p, ulen) : unit_ns;
	if (!unit) {
		say(why, len, "has an unknown unit '%.*s' (use ns, us, ms or s), got '%s'",
		    (int)(ulen > 16 ? 16 : ulen), p, s);
		return -1;
	}
	/* frac < scale <= 1e9 and unit <= 1e9, so the product fits in 64 bits */
	if (overflow || whole > UINT64_MAX / unit ||
	    whole * unit > UINT64_MAX - frac * unit / scale) {
		say(why, len, "is too large, got '%s'", s);
		return -1;
	}
	if ((frac * unit) % scale) {
		say(why, len, "is not a whole number of nanoseconds, got '%s'", s);
		return -1;
	}
	total = whole * unit + frac * unit / scale;
	if (total < min_ns) {
		char shortest[32];

		format_duration((double)min_ns, shortest, sizeof(shortest));
		if (min_ns == 1)
			say(why, len, "must be longer than 0, got '%s'", s);
		else
			say(why, len, "must be at least %s, got '%s'", shortest, s);
		return -1;
	}
	*ns = total;
	return 0;
}

void format_duration(double ns, char *buf, size_t len)
{
	size_t u = 0;

	for (size_t i = 1; i < ARRAY_SIZE(time_units); i++)
		if (ns >= (double)time_units[i].ns || -ns >= (double)time_units[i].ns)
			u = i;
	snprintf(buf, len, "%.4g%s", ns / (double)time_units[u].ns, time_units[u].name);
}

/* ---- cmd_ops and booleans -------------------------------------------------------------------- */

int parse_cmd_op(const char *s, uint32_t *out, char *why, size_t len)
{
	const char *end;
	uint64_t v;
	bool overflow;

	if (s[0] == '-') {
		say(why, len, "cannot be negative, got '%s'", s);
		return -1;
	}
	if (lex_whole(s, &v, &overflow, &end) && !*end) {
		if (overflow || v > UINT32_MAX) {
			say(why, len, "must be between 0 and %u, got '%s'", UINT32_MAX, s);
			return -1;
		}
		*out = (uint32_t)v;
		return 0;
	}
	if (cmd_op_by_name(s, out))
		return 0;
	say(why, len, "expects a cmd_op: a number, or a command name such as NOP_TW or "
	    "IOUCMD_REF_NOP_TW, got '%s'", s);
	return -1;
}

int parse_bool(const char *s, bool *out, char *why, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	say(why, len, "expects a boolean (0/1, true/false, yes/no), got '%s'", s);
	return -1;
}

/* ---- signed values: expectations, CQE results ------------------------------------------------- */

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

/*
 * Parsed by hand rather than with strtod so that the locale cannot change it and "inf"/"nan"
 * are not numbers.
 */
int parse_value(const char *s, double *out, char *why, size_t len)
{
	const char *p = s, *end;
	uint64_t whole, frac;
	bool neg = false, overflow;
	size_t nfrac;
	double v;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == 'E' && isupper((unsigned char)p[1])) {
		int e = errno_by_name(p);

		if (!e) {
			say(why, len, "expects an errno name such as -EINVAL, got '%s'", s);
			return -1;
		}
		*out = neg ? -e : e;
		return 0;
	}
	if (!lex_whole(p, &whole, &overflow, &end) || overflow)
		goto bad;
	v = (double)whole;
	if (*end == '.' && !(p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))) {
		nfrac = lex_digits(end + 1, 10, &frac, &overflow, &end);
		if (!nfrac || nfrac > 18 || overflow)
			goto bad;
		double scale = 1;

		for (size_t i = 0; i < nfrac; i++)
			scale *= 10;
		v += (double)frac / scale;
	}
	if (*end)
		goto bad;
	*out = neg ? -v : v;
	return 0;
bad:
	say(why, len, "expects a number (decimal, a fraction, 0x hex or an errno name such as "
	    "-EINVAL), got '%s'", s);
	return -1;
}

int parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *why, size_t len)
{
	double v;

	if (parse_value(s, &v, why, len))
		return -1;
	if (v != (double)(int64_t)v || v < (double)min || v > (double)max) {
		say(why, len, "must be a whole number from %lld to %lld, got '%s'", (long long)min,
		    (long long)max, s);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}
