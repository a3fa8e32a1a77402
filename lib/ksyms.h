/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel symbols from /proc/kallsyms, for stacks and handler addresses. */
#ifndef IOUCMD_KSYMS_H
#define IOUCMD_KSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	char *name;
	char *module;	/* NULL for vmlinux */
};

struct ksyms;

struct ksyms *ksyms_load(void);
/* the symbol at or below addr, or NULL */
const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr);
/* the symbol called name, or NULL */
const struct ksym *ksyms_by_name(const struct ksyms *k, const char *name);
void ksyms_free(struct ksyms *k);

#endif /* IOUCMD_KSYMS_H */
