// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, the fio rows: the same NVMe passthrough reads issued by Debian's fio
 * (ioengine=io_uring_cmd, cmd_type=nvme), so the cost is measured under a load generator nobody
 * here wrote either. ns/command is fio's own: its job runtime over the I/Os it completed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "bench.h"

bool fio_available(void)
{
	return !system("command -v fio >/dev/null 2>&1");
}

int fio_run(const char *device, unsigned int qd, uint64_t ios, uint64_t *elapsed_ns, char *err,
	    size_t errlen)
{
	char cmd[512], *out = NULL;
	size_t len = 0, cap = 0;
	struct json_object *root, *job, *read;
	double runtime_ms;
	int64_t done;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "fio --name=bench --filename=%s --ioengine=io_uring_cmd --cmd_type=nvme "
		 "--rw=randread --bs=4k --size=64m --iodepth=%u --number_ios=%llu --time_based=0 "
		 "--output-format=json 2>&1", device, qd, (unsigned long long)ios);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(err, errlen, "cannot run fio");
		return -1;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *more = realloc(out, cap = cap ? 2 * cap : 65536);

			if (!more)
				break;
			out = more;
		}
		size_t n = fread(out + len, 1, cap - len - 1, p);

		if (!n)
			break;
		len += n;
	}
	pclose(p);
	if (!out) {
		snprintf(err, errlen, "fio printed nothing");
		return -1;
	}
	out[len] = '\0';
	/* fio may print notes before its JSON */
	root = json_tokener_parse(strchr(out, '{') ? strchr(out, '{') : out);
	if (!root || !json_object_object_get_ex(root, "jobs", &job) ||
	    !(job = json_object_array_get_idx(job, 0)) ||
	    !json_object_object_get_ex(job, "read", &read)) {
		snprintf(err, errlen, "fio: %.300s", out);
		json_object_put(root);
		free(out);
		return -1;
	}
	runtime_ms = json_object_get_double(json_object_object_get(read, "runtime"));
	done = json_object_get_int64(json_object_object_get(read, "total_ios"));
	json_object_put(root);
	free(out);
	if (done <= 0 || runtime_ms <= 0) {
		snprintf(err, errlen, "fio completed no reads");
		return -1;
	}
	/* per command, as ioucmd's rows: scaled to the ios asked for */
	*elapsed_ns = (uint64_t)(runtime_ms * 1e6 / (double)done * (double)ios);
	return 0;
}
