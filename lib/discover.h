/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which ->uring_cmd handlers there are: every function in vmlinux and module BTF with the
 * prototype, those of one module, and those that serve a given device.
 */
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

/* the attachable handlers of module, at most max of them: how many, or -errno with err */
int discover_module_handlers(const char *module, struct handler_info *out, int max, char *err,
			     size_t errlen);

/*
 * The handlers that may serve device (a path, or socket:udp / socket:tcp) and that this kernel
 * has (kallsyms), at most max: how many (0: none in this kernel); -ENOENT when the device is not
 * one ioucmd knows (then its module's handlers are the ones: discover_module_handlers()).
 */
int discover_device_handlers(const char *device, struct handler_info *out, int max);

#endif /* IOUCMD_DISCOVER_H */
