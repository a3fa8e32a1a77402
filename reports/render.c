// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the renderers share: reading a report's fields, writing a rendering to a file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "render.h"

const char *render_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

double render_num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

/* the temporary name beside path that a rendering is written to before the rename */
static void tmp_name(char *tmp, size_t len, const char *path)
{
	snprintf(tmp, len, "%s.tmp.%d", path, (int)getpid());
}

int render_can_write(const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;

	tmp_name(tmp, sizeof(tmp), path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	fclose(f);
	unlink(tmp);
	return 0;
}

int render_to_file(int (*render)(struct json_object *, FILE *), struct json_object *report,
		   const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int ret;

	tmp_name(tmp, sizeof(tmp), path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	ret = render(report, f);
	if (fclose(f) || ret || rename(tmp, path)) {
		snprintf(err, errlen, "writing %s failed: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
