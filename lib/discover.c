// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which ->uring_cmd handlers there are: see discover.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ioucmd/ioucmd_ref.h>
#include <bpf/btf.h>
#include "discover.h"
#include "ksyms.h"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* int f(struct io_uring_cmd *, unsigned int) */
static int is_uring_cmd_proto(const struct btf *btf, const struct btf_type *fn)
{
	const struct btf_type *proto = btf__type_by_id(btf, fn->type), *t;
	const struct btf_param *p;

	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != 2)
		return 0;
	t = skip_mods(btf, proto->type);
	if (!t || !btf_is_int(t))
		return 0;
	p = btf_params(proto);
	t = skip_mods(btf, p[0].type);
	if (!t || !btf_is_ptr(t))
		return 0;
	t = skip_mods(btf, t->type);
	if (!t || !btf_is_struct(t) || strcmp(btf__name_by_offset(btf, t->name_off), "io_uring_cmd"))
		return 0;
	t = skip_mods(btf, p[1].type);
	return t && btf_is_int(t) && t->size == 4;
}

static int scan(const struct btf *btf, const char *module, const struct ksyms *ks,
		struct handler_info *out, int max, int n)
{
	__u32 start = strcmp(module, "vmlinux") ? btf__type_cnt(btf__base_btf(btf)) : 1;

	for (__u32 id = start; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_func(t) || !is_uring_cmd_proto(btf, t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (n < max) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", name);
			snprintf(out[n].module, sizeof(out[n].module), "%s", module);
			out[n].attachable = ksyms_by_name(ks, name) != NULL;
		}
		n++;
	}
	return n;
}

int discover_handlers(struct handler_info *out, int max, char *err, size_t errlen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct ksyms *ks = ksyms_load();
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if (!vmlinux) {
		snprintf(err, errlen, "cannot read /sys/kernel/btf/vmlinux: the kernel needs "
			 "CONFIG_DEBUG_INFO_BTF=y");
		ksyms_free(ks);
		return -ENOENT;
	}
	n = scan(vmlinux, "vmlinux", ks, out, max, n);
	dir = opendir("/sys/kernel/btf");
	while (dir && (d = readdir(dir))) {
		struct btf *mod;

		if (d->d_name[0] == '.' || !strcmp(d->d_name, "vmlinux"))
			continue;
		mod = btf__load_module_btf(d->d_name, vmlinux);
		if (!mod)
			continue;
		n = scan(mod, d->d_name, ks, out, max, n);
		btf__free(mod);
	}
	if (dir)
		closedir(dir);
	btf__free(vmlinux);
	ksyms_free(ks);
	return n;
}

int discover_module_handlers(const char *module, struct handler_info *out, int max, char *err,
			     size_t errlen)
{
	enum { MAX_SCANNED = 1024 };
	struct handler_info *all = calloc(MAX_SCANNED, sizeof(*all));
	int n, found = 0;

	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = discover_handlers(all, MAX_SCANNED, err, errlen);
	for (int i = 0; i < n && i < MAX_SCANNED && found < max; i++)
		if (!strcmp(all[i].module, module) && all[i].attachable)
			out[found++] = all[i];
	free(all);
	return n < 0 ? n : found;
}

/*
 * The handlers of the devices ioucmd knows, '|'-separated where the kernel decides at open
 * time: an NVMe namespace's char device is the multipath head's (nvme_ns_head_chr_uring_cmd)
 * when CONFIG_NVME_MULTIPATH is on, the namespace's otherwise.
 */
static const char *device_handlers(const char *device)
{
	struct stat st;

	if (!strncmp(device, "socket:", 7))
		return "io_uring_cmd_sock";
	if (!strcmp(device, IOUCMD_REF_DEVPATH))
		return IOUCMD_REF_HANDLER;
	if (!strcmp(device, "/dev/null"))
		return "uring_cmd_null";
	if (!strncmp(device, "/dev/ng", 7))
		return "nvme_ns_head_chr_uring_cmd|nvme_ns_chr_uring_cmd";
	if (!strncmp(device, "/dev/nvme", 9) && !strchr(device + 9, 'n'))
		return "nvme_dev_uring_cmd";
	if (!stat(device, &st) && S_ISBLK(st.st_mode))
		return "blkdev_uring_cmd";
	return NULL;
}

int discover_device_handlers(const char *device, struct handler_info *out, int max)
{
	const char *names = device_handlers(device);
	struct ksyms *ks;
	char list[256], *save = NULL;
	int n = 0;

	if (!names)
		return -ENOENT;
	ks = ksyms_load();
	snprintf(list, sizeof(list), "%s", names);
	for (char *h = strtok_r(list, "|", &save); h && n < max; h = strtok_r(NULL, "|", &save)) {
		const struct ksym *sym = ks ? ksyms_by_name(ks, h) : NULL;

		/* only those this kernel has; all of them if kallsyms cannot be read */
		if (ks && !sym)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", h);
		snprintf(out[n].module, sizeof(out[n].module), "%s",
			 sym && sym->module ? sym->module : "vmlinux");
		out[n++].attachable = ks != NULL;
	}
	ksyms_free(ks);
	return n;
}
