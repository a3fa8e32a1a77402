/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lines of an INI text, as scenario files write them (scenarios/README.md, Syntax):
 * `[section]`, `key = value` or `key: value`, comments from `;` or `#` at the start of a line
 * and from a `;` after whitespace, no continuation lines, a UTF-8 BOM and CRLF accepted, at
 * most INI_LINE_MAX characters a line. Reentrant: all state is the caller's.
 *
 * Why not inih: Debian's libinih keeps its options (line length, continuation lines) in
 * process-wide globals whose defaults do not fit these files (200-character lines, indented
 * lines continuing the previous value), so every parse had to set and restore them; and its
 * handler sees neither line numbers nor sections, so every line was lexed here anyway.
 */
#ifndef IOUCMD_INI_LEX_H
#define IOUCMD_INI_LEX_H

#include <stddef.h>

#define INI_LINE_MAX	1022

struct ini_lex_ops {
	/* "[name]": name is what stands between the brackets (not checked), len its length */
	int (*section)(void *user, int line, const char *name, size_t len);
	/* "key = value", both trimmed and the comment cut; the value may be empty */
	int (*key)(void *user, int line, const char *name, const char *value);
};

/*
 * Feeds every line of text (len bytes, NUL bytes refused) to ops, in order, until one returns
 * nonzero (its return value) or a line is malformed: then -1, with *err_line and err (a sentence
 * without the line number) set. 0 at the end of the text.
 */
int ini_lex(const char *text, size_t len, const struct ini_lex_ops *ops, void *user,
	    int *err_line, char *err, size_t errlen);

#endif /* IOUCMD_INI_LEX_H */
