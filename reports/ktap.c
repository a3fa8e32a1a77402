// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* KTAP: a scenario result's checks as test points, the way `ioucmd run` prints them. */
#include <stdbool.h>
#include <stdio.h>
#include "render.h"

int render_ktap_checks(FILE *out, struct json_object *result, int *n)
{
	struct json_object *checks = json_object_object_get(result, "checks");
	int failed = 0;

	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i), *v;
		bool ok = json_object_get_boolean(json_object_object_get(c, "ok"));
		const char *name = json_object_get_string(json_object_object_get(c, "name"));

		(*n)++;
		if (json_object_object_get_ex(c, "skip", &v)) {
			fprintf(out, "ok %d - %s # SKIP %s\n", *n, name, json_object_get_string(v));
			continue;
		}
		fprintf(out, "%sok %d - %s\n", ok ? "" : "not ", *n, name);
		if (json_object_object_get_ex(c, "detail", &v))
			fprintf(out, "# %s\n", json_object_get_string(v));
		failed += !ok;
	}
	fflush(out);
	return failed;
}
