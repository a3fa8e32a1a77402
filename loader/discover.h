/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finds ->uring_cmd handlers: every function in vmlinux and module BTF with its prototype. */
#ifndef IOUCMD_DISCOVER_H
#define IOUCMD_DISCOVER_H

#include <stddef.h>

struct handler_info {
	char name[128];
	char module[64];	/* "vmlinux" for built-in */
	int attachable;		/* also in kallsyms: fentry can find it */
};

/* Fills up to max handlers, returns how many were found (may exceed max) or -errno. */
int discover_handlers(struct handler_info *out, int max, char *err, size_t errlen);

#endif /* IOUCMD_DISCOVER_H */
