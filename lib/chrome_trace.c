// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "chrome_trace.h"
#include "report.h"
#include "names.h"

struct chrome_trace {
	FILE *f;
	long n;
	uint64_t t0;	/* first event's timestamp: the trace starts at 0 */
};

struct chrome_trace *chrome_trace_open(const char *path, char *err, size_t errlen)
{
	struct chrome_trace *ct = calloc(1, sizeof(*ct));

	if (!ct || !(ct->f = fopen(path, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(ct);
		return NULL;
	}
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", ct->f);
	return ct;
}

void chrome_trace_event(struct chrome_trace *ct, struct tracer *t, const struct ioucmd_event *e)
{
	/* a life is issue (begin) .. CQE (end); return and done are instants on it */
	static const char *const phase[] = {
		[IOUCMD_EV_ISSUE] = "b", [IOUCMD_EV_RETURN] = "n",
		[IOUCMD_EV_DONE] = "n", [IOUCMD_EV_CQE] = "e",
	};
	static const char *const what[] = {
		[IOUCMD_EV_ISSUE] = "issue", [IOUCMD_EV_RETURN] = "return",
		[IOUCMD_EV_DONE] = "done", [IOUCMD_EV_CQE] = "cqe",
	};
	struct json_object *o, *args;
	const char *name = cmd_op_name(e->cmd_op);
	char id[64], buf[160];

	if (e->kind < IOUCMD_EV_ISSUE || e->kind > IOUCMD_EV_CQE)
		return;
	if (!ct->t0)
		ct->t0 = e->ts_ns;
	o = json_object_new_object();
	args = json_object_new_object();
	if (!name) {
		snprintf(buf, sizeof(buf), "cmd_op 0x%x", e->cmd_op);
		name = buf;
	}
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "cat", json_object_new_string(tracer_handler(t, e->slot)));
	json_object_object_add(o, "ph", json_object_new_string(phase[e->kind]));
	json_object_object_add(o, "ts", json_object_new_double((e->ts_ns - ct->t0) / 1000.0));
	json_object_object_add(o, "pid", json_object_new_int((int)e->pid));
	json_object_object_add(o, "tid", json_object_new_int((int)e->tid));
	/* the io_kiocb is recycled: the user_data tells lives apart */
	snprintf(id, sizeof(id), "%s/%llu", report_cmd_id(e->cmd, 0, buf + 100, 60),
		 (unsigned long long)e->user_data);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(args, "step", json_object_new_string(what[e->kind]));
	if (e->kind == IOUCMD_EV_RETURN || e->kind == IOUCMD_EV_DONE)
		json_object_object_add(args, "res", json_object_new_int(e->res));
	if (e->kind == IOUCMD_EV_ISSUE || e->kind == IOUCMD_EV_DONE)
		json_object_object_add(args, "flags",
				       json_object_new_string(ioucmd_flags_str(e->flags_seen, buf,
									       sizeof(buf))));
	json_object_object_add(o, "args", args);
	fprintf(ct->f, "%s%s\n", ct->n ? "," : "", json_object_to_json_string(o));
	ct->n++;
	json_object_put(o);
}

long chrome_trace_close(struct chrome_trace *ct)
{
	long n;
	int bad;

	if (!ct)
		return 0;
	fputs("]}\n", ct->f);
	bad = ferror(ct->f);
	bad |= fclose(ct->f);
	n = bad ? -1 : ct->n;
	free(ct);
	return n;
}
