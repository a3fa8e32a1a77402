// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The lines of an INI text: see ini_lex.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ini_lex.h"

struct lexer {
	int line;
	int *err_line;
	char *err;
	size_t errlen;
};

static int fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;

	*lx->err_line = lx->line;
	va_start(ap, fmt);
	vsnprintf(lx->err, lx->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* the text without surrounding space, shortened for messages */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		snprintf(buf, size, "%.*s...", (int)size - 4, s);
	else
		snprintf(buf, size, "%.*s", (int)n, s);
	return buf;
}

/* the first of chars in s, or where a comment starts (a ';' after whitespace), or the end */
static char *find_or_comment(char *s, const char *chars)
{
	bool was_space = false;

	for (; *s && !strchr(chars, *s); s++) {
		if (was_space && *s == ';')
			break;
		was_space = isspace((unsigned char)*s);
	}
	return s;
}

static char *trim(char *s, char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int one_line(struct lexer *lx, char *s, const struct ini_lex_ops *ops, void *user)
{
	char buf[64], *end, *name, *value;

	if (lx->line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))	/* a UTF-8 BOM */
		s += 3;
	s += strspn(s, " \t\r\v\f");
	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (*s == '[') {
		end = find_or_comment(s + 1, "]");
		if (*end != ']')
			return fail(lx, "section header '%s' has no closing ']'", shown(s, buf, sizeof(buf)));
		value = end + 1 + strspn(end + 1, " \t\r\v\f");
		if (*value && *value != ';' && *value != '#')
			return fail(lx, "unexpected '%s' after the section header",
				    shown(value, buf, sizeof(buf)));
		return ops->section(user, lx->line, s + 1, (size_t)(end - s - 1));
	}
	end = find_or_comment(s, "=:");
	if (*end != '=' && *end != ':')
		return fail(lx, "expected 'key = value', '[section]' or a comment, got '%s'",
			    shown(s, buf, sizeof(buf)));
	value = end + 1;
	name = trim(s, end);
	value = trim(value, find_or_comment(value, ""));
	return ops->key(user, lx->line, name, value);
}

int ini_lex(const char *text, size_t len, const struct ini_lex_ops *ops, void *user,
	    int *err_line, char *err, size_t errlen)
{
	struct lexer lx = { 0, err_line, err, errlen };
	char line[INI_LINE_MAX + 3];
	size_t at = 0;

	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		int ret;

		lx.line++;
		if (memchr(text + at, '\0', n))
			return fail(&lx, "NUL byte in line: this is not a text file");
		if (n > (size_t)INI_LINE_MAX + (n && text[at + n - 1] == '\r'))
			return fail(&lx, "line is too long (%zu characters, at most %d)", n,
				    INI_LINE_MAX);
		memcpy(line, text + at, n);
		line[n] = '\0';
		ret = one_line(&lx, line, ops, user);
		if (ret)
			return ret;
		at += n + (nl != NULL);
	}
	return 0;
}
