// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The environment a scenario needs: a recent enough kernel, its module, the handlers to trace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "discover.h"
#include "run_internal.h"

bool run_kernel_at_least(unsigned int major, unsigned int minor, char *rel, size_t len)
{
	struct utsname u;
	unsigned int ma = 0, mi = 0;

	if (uname(&u))
		return true;
	snprintf(rel, len, "%s", u.release);
	sscanf(u.release, "%u.%u", &ma, &mi);
	return ma > major || (ma == major && mi >= minor);
}

static bool module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	for (char *p = path + 12; *p; p++)
		if (*p == '-')
			*p = '_';
	return !stat(path, &st);
}

/* loads module (from /lib/modules/ioucmd/, where vm/run puts ours) with params */
int run_load_module(const char *name, const char *params, char *err, size_t errlen)
{
	char path[256];
	int fd, ret;

	if (module_loaded(name)) {
		if (!params[0])
			return 0;
		/* reload: the parameters (fault injection) are set at load */
		if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
			snprintf(err, errlen, "module %s is loaded and cannot be reloaded with '%s': %s",
				 name, params, strerror(errno));
			return -errno;
		}
	}
	snprintf(path, sizeof(path), "/lib/modules/ioucmd/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s (build it with 'make driver' and run in "
			 "vm/run, or load it yourself)", path, strerror(errno));
		return -errno;
	}
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "loading %s failed: %s%s", path, strerror(errno),
			 errno == EPERM ? " (needs root)" : "");
		return -errno;
	}
	return 0;
}

static void add_handler(struct run_state *rs, const struct handler_info *h)
{
	for (int i = 0; i < rs->nr_handlers; i++)
		if (!strcmp(rs->handlers[i].name, h->name))
			return;
	if (rs->nr_handlers < IOUCMD_MAX_HANDLERS)
		rs->handlers[rs->nr_handlers++] = *h;
}

/* the handlers of every job's device; for a device ioucmd does not know, its module's */
int run_choose_handlers(struct run_state *rs, char *err, size_t errlen)
{
	const struct scenario *sc = rs->sc;
	struct handler_info found[IOUCMD_MAX_HANDLERS];

	for (size_t j = 0; j < sc->nr_jobs; j++) {
		int n = discover_device_handlers(sc->jobs[j].device, found, IOUCMD_MAX_HANDLERS);
		bool known = n != -ENOENT;

		if (!known)
			n = sc->module[0] ? discover_module_handlers(sc->module, found,
								     IOUCMD_MAX_HANDLERS, err, errlen) : 0;
		for (int i = 0; i < n; i++)
			add_handler(rs, &found[i]);
		if (!known && !rs->nr_handlers) {
			snprintf(err, errlen, "no uring_cmd handler known for %s: set 'module' to the "
				 "module that serves it", sc->jobs[j].device);
			return -ENOENT;
		}
	}
	if (!rs->nr_handlers) {
		snprintf(err, errlen, "none of the handlers for this scenario's devices is in this "
			 "kernel ('ioucmd list' shows what there is)");
		return -ENOENT;
	}
	return 0;
}
