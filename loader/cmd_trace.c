// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "discover.h"
#include "hist.h"
#include "cli.h"
#include "refcmds.h"
#include "chrome_trace.h"
#include "report.h"
#include "trace_print.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct trace_state {
	struct tracer *t;
	int raw;
	uint64_t violations;
	struct json_object *violation_list;	/* for -j */
	struct chrome_trace *events;		/* for --events */
};

static void on_life(void *arg, const struct ioucmd_event *e)
{
	struct trace_state *s = arg;

	chrome_trace_event(s->events, s->t, e);
}

static void on_violation(void *arg, const struct ioucmd_event *e)
{
	struct trace_state *s = arg;

	s->violations++;
	violation_print(stdout, s->t, e, s->raw);
	fflush(stdout);
	if (s->violation_list)
		json_object_array_add(s->violation_list, report_violation(s->t, e, s->raw));
}

static int write_json(struct trace_state *st, const char *path)
{
	struct json_object *root = report_new(st->t), *handlers = json_object_new_array();
	int ret;

	for (int s = 0; s < tracer_nr_handlers(st->t); s++)
		json_object_array_add(handlers, report_handler(st->t, s));
	json_object_object_add(root, "handlers", handlers);
	json_object_object_add(root, "totals", report_totals(st->t));
	json_object_object_add(root, "violations", json_object_get(st->violation_list));
	ret = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	if (ret)
		fprintf(stderr, "ioucmd trace: cannot write %s: %s\n", path, json_util_get_last_err());
	return ret;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd trace [-H FUNCTION]... [-d MODULE] [-p PID] [-c CMD_OP] [--comm COMM]\n"
		"                    [-i SECONDS]\n"
		"                    [--duration SECONDS] [--stall-timeout SECONDS] [--raw]\n"
		"                    [--backend auto|fentry|kprobe|tracepoint] [-j FILE.json]\n"
		"                    [--events TRACE.json] [--stacks]\n"
		"                    [--fail-on-violation]\n\n"
		"Traces the ->uring_cmd handlers chosen (all attachable ones of MODULE with -d),\n"
		"prints violations as they happen, and counts and latency histograms every -i\n"
		"seconds and at the end (Ctrl-C or --duration). --events writes every command's\n"
		"life (issue, return, done, CQE) as Chrome trace-event JSON for Perfetto.\n"
		"--stacks keeps every first completion's stack, so that a double completion\n"
		"shows both; it costs a stack walk per queued command.\n"
		"-p, -c and --comm keep only the commands of that process, that cmd_op (a number\n"
		"or a reference-driver command name such as NOP_TW) or that submitter's comm.\n");
}

static int parse_seconds(const char *s, const char *what, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < 0) {
		fprintf(stderr, "ioucmd trace: %s takes a number of seconds, not '%s'\n", what, s);
		return -1;
	}
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "handler", required_argument, 0, 'H' }, { "module", required_argument, 0, 'd' },
		{ "pid", required_argument, 0, 'p' }, { "interval", required_argument, 0, 'i' },
		{ "duration", required_argument, 0, 'D' }, { "stall-timeout", required_argument, 0, 'S' },
		{ "raw", no_argument, 0, 'r' }, { "backend", required_argument, 0, 'B' },
		{ "json", required_argument, 0, 'j' }, { "events", required_argument, 0, 'E' },
		{ "stacks", no_argument, 0, 's' }, { "fail-on-violation", no_argument, 0, 'F' },
		{ "cmd-op", required_argument, 0, 'c' }, { "comm", required_argument, 0, 'C' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	static struct handler_info found[256];
	struct tracer_opts opts = { .stall_timeout_ns = 10000000000ull };
	struct trace_state st = { 0 };
	double interval = 0, duration = 0, stall = 10;
	const char *module = NULL, *json_path = NULL, *events_path = NULL;
	int c, fail_on_violation = 0, ret = EXIT_OK;
	char err[512];
	struct timespec start, now;
	double next_print;

	optind = 1;
	while ((c = getopt_long(argc, argv, "H:d:p:c:i:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (opts.nr_handlers == IOUCMD_MAX_HANDLERS) {
				fprintf(stderr, "ioucmd trace: at most %d handlers\n", IOUCMD_MAX_HANDLERS);
				return EXIT_USAGE;
			}
			opts.handlers[opts.nr_handlers++] = optarg;
			break;
		case 'd': module = optarg; break;
		case 'p': {
			char *end;
			long pid = strtol(optarg, &end, 10);

			if (*end || pid <= 0) {
				fprintf(stderr, "ioucmd trace: -p takes a process id, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			opts.filter_pid = (uint32_t)pid;
			break;
		}
		case 'c': {
			char *end;
			unsigned long long op;

			errno = 0;
			op = strtoull(optarg, &end, 0);
			if (!errno && end != optarg && !*end && optarg[0] != '-' && op <= UINT32_MAX) {
				opts.filter_cmd_op = (uint32_t)op;
			} else if (!refcmd_by_name(optarg, &opts.filter_cmd_op)) {
				fprintf(stderr, "ioucmd trace: -c takes a cmd_op number or a reference-driver "
					"command name, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			opts.filter_cmd_op_set = true;
			break;
		}
		case 'C':
			if (!optarg[0] || strlen(optarg) >= sizeof(opts.filter_comm)) {
				fprintf(stderr, "ioucmd trace: --comm takes a task name of 1 to %zu "
					"characters, not '%s'\n", sizeof(opts.filter_comm) - 1, optarg);
				return EXIT_USAGE;
			}
			strcpy(opts.filter_comm, optarg);
			break;
		case 'i': if (parse_seconds(optarg, "-i", &interval)) return EXIT_USAGE; break;
		case 'D': if (parse_seconds(optarg, "--duration", &duration)) return EXIT_USAGE; break;
		case 'S': if (parse_seconds(optarg, "--stall-timeout", &stall)) return EXIT_USAGE; break;
		case 'r': st.raw = 1; break;
		case 'j': json_path = optarg; break;
		case 's': opts.first_stacks = true; break;
		case 'E': events_path = optarg; break;
		case 'B':
			if (!strcmp(optarg, "auto"))
				opts.backend = TRACER_AUTO;
			else if (!strcmp(optarg, "fentry"))
				opts.backend = TRACER_FENTRY;
			else if (!strcmp(optarg, "kprobe"))
				opts.backend = TRACER_KPROBE;
			else if (!strcmp(optarg, "tracepoint"))
				opts.backend = TRACER_TRACEPOINT;
			else {
				fprintf(stderr, "ioucmd trace: --backend is auto, fentry, kprobe or tracepoint, "
					"not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'F': fail_on_violation = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ioucmd trace: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (module) {
		int n = discover_handlers(found, 256, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "ioucmd trace: %s\n", err);
			return EXIT_USAGE;
		}
		for (int i = 0; i < n && i < 256; i++)
			if (!strcmp(found[i].module, module) && found[i].attachable &&
			    opts.nr_handlers < IOUCMD_MAX_HANDLERS)
				opts.handlers[opts.nr_handlers++] = found[i].name;
		if (!opts.nr_handlers) {
			fprintf(stderr, "ioucmd trace: module '%s' has no attachable uring_cmd "
				"handler (is it loaded? 'ioucmd list' shows what there is)\n", module);
			return EXIT_USAGE;
		}
	}
	if (!opts.nr_handlers) {
		fprintf(stderr, "ioucmd trace: choose handlers with -H FUNCTION or -d MODULE "
			"('ioucmd list' shows them)\n");
		return EXIT_USAGE;
	}
	opts.stall_timeout_ns = (uint64_t)(stall * 1e9);
	opts.on_violation = on_violation;
	opts.arg = &st;
	if (json_path)
		st.violation_list = json_object_new_array();
	if (events_path) {
		st.events = chrome_trace_open(events_path, err, sizeof(err));
		if (!st.events) {
			fprintf(stderr, "ioucmd trace: %s\n", err);
			json_object_put(st.violation_list);
			return EXIT_USAGE;
		}
		opts.events = true;
		opts.on_life = on_life;
	}
	st.t = tracer_open(&opts, err, sizeof(err));
	if (!st.t) {
		fprintf(stderr, "ioucmd trace: %s\n", err);
		chrome_trace_close(st.events);
		json_object_put(st.violation_list);
		return EXIT_USAGE;
	}
	trace_print_features(stderr, st.t);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &start);
	next_print = interval;
	while (!stop) {
		double elapsed;
		int err_poll = tracer_poll(st.t, 100);

		if (err_poll < 0 && err_poll != -EINTR) {
			fprintf(stderr, "ioucmd trace: polling events: %s\n", strerror(-err_poll));
			ret = EXIT_USAGE;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
		tracer_sweep(st.t, false);
		if (interval > 0 && elapsed >= next_print) {
			trace_print_summary(stdout, st.t);
			next_print += interval;
		}
		if (duration > 0 && elapsed >= duration)
			break;
	}
	tracer_poll(st.t, 0);
	tracer_sweep(st.t, true);
	trace_print_summary(stdout, st.t);
	if (json_path && write_json(&st, json_path))
		ret = EXIT_USAGE;
	if (fail_on_violation && trace_total_violations(st.t) && ret == EXIT_OK)
		ret = EXIT_VIOLATION;
	if (events_path) {
		long n = chrome_trace_close(st.events);

		if (n < 0) {
			fprintf(stderr, "ioucmd trace: writing %s failed\n", events_path);
			ret = EXIT_USAGE;
		} else {
			fprintf(stderr, "ioucmd trace: %ld events in %s\n", n, events_path);
		}
	}
	json_object_put(st.violation_list);
	tracer_close(st.t);
	return ret;
}
