// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd trace: live violations as they happen, counts and latency every -i and at the end. */
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
#include "clock.h"
#include "names.h"
#include "parse.h"
#include "chrome_trace.h"
#include "render.h"
#include "report.h"
#include "text.h"

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
	struct json_object *intervals;		/* for -j with -i: each interval's handlers */
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
	text_violation(stdout, s->t, e, s->raw);
	fflush(stdout);
	if (s->violation_list)
		json_object_array_add(s->violation_list, report_violation(s->t, e, s->raw));
}

/* the whole trace so far as a report (reports/SCHEMA.md): for -j, and for --prom each time */
static struct json_object *trace_report(struct trace_state *st)
{
	struct json_object *root = report_new(st->t), *handlers = json_object_new_array();

	for (int s = 0; s < tracer_nr_handlers(st->t); s++)
		json_object_array_add(handlers, report_handler(st->t, s));
	json_object_object_add(root, "handlers", handlers);
	json_object_object_add(root, "totals", report_totals(st->t));
	json_object_object_add(root, "violations", json_object_get(st->violation_list));
	if (st->intervals)
		json_object_object_add(root, "intervals", json_object_get(st->intervals));
	return root;
}

static int write_json(struct trace_state *st, const char *path)
{
	struct json_object *root = trace_report(st);
	int ret;

	ret = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	if (ret)
		cli_err("cannot write %s: %s", path, json_util_get_last_err());
	return ret;
}

/*
 * The running totals for node_exporter's textfile collector, replaced whole (a temporary file,
 * then rename) so that a scrape never reads half of it; counters only grow.
 */
static int write_prom(struct trace_state *st, const char *path)
{
	struct json_object *root = trace_report(st);
	char err[512];
	int ret;

	ret = render_to_file(render_prometheus, root, path, err, sizeof(err));
	json_object_put(root);
	if (ret)
		cli_err("%s", err);
	return ret;
}

/* what -i printed, for -j: when it ended, and each handler's counts and latency in it */
static void record_interval(struct trace_state *st, uint64_t elapsed_ns, int cumulative)
{
	struct json_object *o = json_object_new_object(), *handlers = json_object_new_array();

	json_object_object_add(o, "end_ns", json_object_new_uint64(elapsed_ns));
	json_object_object_add(o, "time", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "cumulative", json_object_new_boolean(cumulative));
	for (int s = 0; s < tracer_nr_handlers(st->t); s++)
		json_object_array_add(handlers, report_handler(st->t, s));
	json_object_object_add(o, "handlers", handlers);
	json_object_array_add(st->intervals, o);
}

/* one -i interval: its own counts (or the running totals), after a time stamp with -T */
static void print_interval(struct trace_state *st, uint64_t elapsed_ns, int timestamp,
			   int cumulative)
{
	struct tracer *t = st->t;

	if (timestamp) {
		time_t now = time(NULL);
		char ts[16];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		printf("%s\n", ts);
	}
	if (cumulative) {
		text_summary(stdout, t);
		if (st->intervals)
			record_interval(st, elapsed_ns, cumulative);
	} else {
		tracer_interval(t, TRACER_INTERVAL_VIEW);
		text_summary(stdout, t);
		if (st->intervals)
			record_interval(st, elapsed_ns, cumulative);
		tracer_interval(t, TRACER_INTERVAL_MARK);
	}
	fflush(stdout);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd trace [-H FUNCTION]... [-d MODULE] [-p PID] [-c CMD_OP] [--comm COMM]\n"
		"                    [-i DURATION [-T] [--cumulative]]\n"
		"                    [--duration DURATION] [--stall-timeout DURATION] [--raw]\n"
		"                    [--backend auto|fentry|kprobe|tracepoint] [-j FILE.json]\n"
		"                    [--events TRACE.json] [--prom FILE [--prom-interval DURATION]]\n"
		"                    [--stacks] [--cqes]\n"
		"                    [--fail-on-violation]\n\n"
		"Traces every ->uring_cmd handler of the system, or only those chosen with -H\n"
		"(and the handlers of MODULE with -d): each command from its issue to its CQE,\n"
		"prints violations as they happen, and counts and latency histograms at the end\n"
		"(Ctrl-C or --duration), over the whole trace. -i prints each interval's own\n"
		"counts and histograms as it ends (--cumulative: the running totals; -T: a time\n"
		"stamp first); -j has the whole trace, and with -i each interval as printed.\n"
		"--events writes every command's\n"
		"life (issue, return, done, CQE) as Chrome trace-event JSON for Perfetto.\n"
		"--prom rewrites FILE whole every --prom-interval (default 15 s) and at the end\n"
		"with the running totals, in Prometheus' text format for node_exporter's textfile\n"
		"collector.\n"
		"--stacks keeps every first completion's stack, so that a double completion\n"
		"shows both; it costs a stack walk per queued command.\n"
		"--cqes also counts the CQEs of uring_cmd requests, an independent check of the\n"
		"completions (one more probe, on every CQE of the system).\n"
		"-p, -c and --comm keep only the commands of that process, that cmd_op (a number\n"
		"or a command name such as NOP_TW) or that submitter's comm. A DURATION is seconds\n"
		"(10), or a number with ns, us, ms or s (500ms, 1.5s), as in scenario files.\n");
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
		{ "cqes", no_argument, 0, 'Q' }, { "cumulative", no_argument, 0, 'U' },
		{ "timestamp", no_argument, 0, 'T' }, { "prom", required_argument, 0, 'P' },
		{ "prom-interval", required_argument, 0, 'I' },
		{ "cmd-op", required_argument, 0, 'c' }, { "comm", required_argument, 0, 'C' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	static struct handler_info found[IOUCMD_MAX_HANDLERS];
	struct tracer_opts opts = { 0 };
	struct trace_state st = { 0 };
	uint64_t interval = 0, duration = 0, stall = 10 * PARSE_SECONDS;
	/* node_exporter's and Prometheus' usual scrape interval */
	uint64_t prom_interval = 15 * PARSE_SECONDS, prom_interval_set = 0;
	const char *module = NULL, *json_path = NULL, *events_path = NULL, *prom_path = NULL;
	int c, fail_on_violation = 0, cumulative = 0, timestamp = 0, ret = EXIT_OK;
	char err[512];
	uint64_t start, next_print, next_prom;
	uint32_t pid;

	optind = 1;
	while ((c = getopt_long(argc, argv, "H:d:p:c:i:j:Th", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (opts.nr_handlers == IOUCMD_MAX_HANDLERS) {
				cli_err("at most %d handlers", IOUCMD_MAX_HANDLERS);
				return EXIT_USAGE;
			}
			opts.handlers[opts.nr_handlers++] = optarg;
			break;
		case 'd': module = optarg; break;
		case 'p':
			if (cli_u32("-p", optarg, 1, INT32_MAX, &pid))
				return EXIT_USAGE;
			opts.filter_pid = pid;
			break;
		case 'c':
			if (cli_cmd_op("-c", optarg, &opts.filter_cmd_op))
				return EXIT_USAGE;
			opts.filter_cmd_op_set = true;
			break;
		case 'C':
			if (!optarg[0] || strlen(optarg) >= sizeof(opts.filter_comm)) {
				cli_err("--comm must be a task name of 1 to %zu characters, got '%s'",
					sizeof(opts.filter_comm) - 1, optarg);
				return EXIT_USAGE;
			}
			strcpy(opts.filter_comm, optarg);
			break;
		/* 0 means none: no periodic print, no time limit */
		case 'i': if (cli_duration("-i", optarg, 0, &interval)) return EXIT_USAGE; break;
		case 'D': if (cli_duration("--duration", optarg, 0, &duration)) return EXIT_USAGE; break;
		case 'S': if (cli_duration("--stall-timeout", optarg, 1, &stall)) return EXIT_USAGE; break;
		case 'r': st.raw = 1; break;
		case 'j': json_path = optarg; break;
		case 's': opts.first_stacks = true; break;
		case 'Q': opts.cqes = true; break;
		case 'U': cumulative = 1; break;
		case 'T': timestamp = 1; break;
		case 'E': events_path = optarg; break;
		case 'P': prom_path = optarg; break;
		case 'I':
			if (cli_duration("--prom-interval", optarg, 1, &prom_interval))
				return EXIT_USAGE;
			prom_interval_set = 1;
			break;
		case 'B':
			if (!tracer_backend_by_name(optarg, &opts.backend)) {
				char list[64];

				tracer_backend_list(list, sizeof(list), "|");
				cli_err("--backend must be one of %s, got '%s'", list, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'F': fail_on_violation = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (cli_no_more(argc, argv, optind))
		return EXIT_USAGE;
	if ((cumulative || timestamp) && !interval) {
		cli_err("%s goes with -i INTERVAL", cumulative ? "--cumulative" : "-T");
		return EXIT_USAGE;
	}
	if (prom_interval_set && !prom_path) {
		cli_err("--prom-interval goes with --prom FILE");
		return EXIT_USAGE;
	}
	if (module) {
		int n = discover_module_handlers(module, found, IOUCMD_MAX_HANDLERS - opts.nr_handlers,
						 err, sizeof(err));

		if (n < 0) {
			cli_err("%s", err);
			return EXIT_USAGE;
		}
		if (!n) {
			cli_err("module '%s' has no attachable uring_cmd handler (is it loaded? "
				"'ioucmd list' shows what there is)", module);
			return EXIT_USAGE;
		}
		for (int i = 0; i < n; i++)
			opts.handlers[opts.nr_handlers++] = found[i].name;
	}
	if (prom_path && render_can_write(prom_path, err, sizeof(err))) {
		cli_err("--prom: %s", err);
		return EXIT_USAGE;
	}
	opts.stall_timeout_ns = stall;
	opts.on_violation = on_violation;
	opts.arg = &st;
	if (json_path)
		st.violation_list = json_object_new_array();
	if (json_path && interval)
		st.intervals = json_object_new_array();
	if (events_path) {
		st.events = chrome_trace_open(events_path, err, sizeof(err));
		if (!st.events) {
			cli_err("%s", err);
			json_object_put(st.violation_list);
			json_object_put(st.intervals);
			return EXIT_USAGE;
		}
		opts.events = true;
		opts.on_life = on_life;
	}
	st.t = tracer_open(&opts, err, sizeof(err));
	if (!st.t) {
		cli_err("%s", err);
		chrome_trace_close(st.events);
		json_object_put(st.violation_list);
		json_object_put(st.intervals);
		return EXIT_USAGE;
	}
	text_features(stderr, st.t);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (interval && !cumulative)
		tracer_interval(st.t, TRACER_INTERVAL_MARK);
	/* the file is there (with zero counts) from the start, for the collector */
	if (prom_path && write_prom(&st, prom_path)) {
		ret = EXIT_USAGE;
		stop = 1;
	}
	start = now_ns();
	next_print = interval;
	next_prom = prom_interval;
	while (!stop) {
		uint64_t elapsed;
		int err_poll = tracer_poll(st.t, 100);

		if (err_poll < 0 && err_poll != -EINTR) {
			cli_err("polling events: %s", strerror(-err_poll));
			ret = EXIT_USAGE;
			break;
		}
		elapsed = now_ns() - start;
		tracer_sweep(st.t, false);
		if (interval && elapsed >= next_print) {
			print_interval(&st, elapsed, timestamp, cumulative);
			next_print += interval;
		}
		if (prom_path && elapsed >= next_prom) {
			if (write_prom(&st, prom_path))
				ret = EXIT_USAGE;
			next_prom += prom_interval;
		}
		if (duration && elapsed >= duration)
			break;
	}
	tracer_poll(st.t, 0);
	tracer_sweep(st.t, true);
	text_summary(stdout, st.t);
	if (json_path && write_json(&st, json_path))
		ret = EXIT_USAGE;
	if (prom_path && write_prom(&st, prom_path))
		ret = EXIT_USAGE;
	if (fail_on_violation && report_total_violations(st.t) && ret == EXIT_OK)
		ret = EXIT_VIOLATION;
	if (events_path) {
		long n = chrome_trace_close(st.events);

		if (n < 0) {
			cli_err("writing %s failed", events_path);
			ret = EXIT_USAGE;
		} else {
			cli_err("%ld events in %s", n, events_path);
		}
	}
	json_object_put(st.violation_list);
	json_object_put(st.intervals);
	if (tracer_detach(st.t, TRACER_DETACH_TIMEOUT_NS) == -ETIMEDOUT)
		cli_err("the kernel did not let the probes go within %llu s: it is probably wedged by "
			"the traced bug; the verdict above stands (exit %d)",
			(unsigned long long)(TRACER_DETACH_TIMEOUT_NS / 1000000000ull), ret);
	return ret;
}
