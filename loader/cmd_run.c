// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd run: scenario files under the tracer, KTAP on stdout, reports on request. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "cli.h"
#include "render.h"
#include "report.h"
#include "run.h"
#include "scenario.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd run [-j REPORT.json] [--html REPORT.html] [--prom REPORT.prom]\n"
		"                  [--events TRACE.json] [--stall-timeout SECONDS] [--raw]\n"
		"                  SCENARIO.ini...\n\n"
		"Runs each scenario under the tracer and prints KTAP: one test point per job, per\n"
		"built-in consistency check and per `expect` line; SKIP where this kernel cannot\n"
		"judge. Every file is checked before anything runs. Exit status: 0 all passed,\n"
		"1 a check failed, 2 a bad file or command line. Format: scenarios/README.md.\n");
}

static int print_checks(struct json_object *result, int *n)
{
	struct json_object *checks = json_object_object_get(result, "checks");
	int failed = 0;

	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i), *v;
		bool ok = json_object_get_boolean(json_object_object_get(c, "ok"));
		const char *name = json_object_get_string(json_object_object_get(c, "name"));

		(*n)++;
		if (json_object_object_get_ex(c, "skip", &v)) {
			printf("ok %d - %s # SKIP %s\n", *n, name, json_object_get_string(v));
			continue;
		}
		printf("%sok %d - %s\n", ok ? "" : "not ", *n, name);
		if (json_object_object_get_ex(c, "detail", &v))
			printf("# %s\n", json_object_get_string(v));
		failed += !ok;
	}
	fflush(stdout);
	return failed;
}

/* KTAP test points so far, and whether the current scenario's are out yet */
struct tally {
	int n;
	int failed;
	bool printed;
};

static void print_judged(struct json_object *result, void *arg)
{
	struct tally *t = arg;

	t->failed += print_checks(result, &t->n);
	t->printed = true;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", required_argument, 0, 'j' }, { "events", required_argument, 0, 'E' },
		{ "html", required_argument, 0, 'H' }, { "prom", required_argument, 0, 'P' },
		{ "stall-timeout", required_argument, 0, 'S' }, { "raw", no_argument, 0, 'r' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	struct run_opts opts = { 0 };
	const char *json_path = NULL, *html_path = NULL, *prom_path = NULL;
	struct scenario **sc;
	struct json_object *report, *list;
	struct utsname u;
	struct tally tally = { 0 };
	int c, nsc, bad = 0, failed;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json_path = optarg; break;
		case 'H': html_path = optarg; break;
		case 'P': prom_path = optarg; break;
		case 'E': opts.events_path = optarg; break;
		case 'S': {
			char *end;
			double s = strtod(optarg, &end);

			if (*end || end == optarg || s <= 0) {
				fprintf(stderr, "ioucmd run: --stall-timeout takes a number of seconds, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			opts.stall_timeout_ns = (uint64_t)(s * 1e9);
			break;
		}
		case 'r': opts.raw = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	nsc = argc - optind;
	if (nsc < 1) {
		fprintf(stderr, "ioucmd run: name at least one scenario file\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	sc = calloc(nsc, sizeof(*sc));
	if (!sc)
		return EXIT_USAGE;
	/* all files first: a mistake in the last one must not leave a partial run behind */
	for (int i = 0; i < nsc; i++) {
		char err[SCENARIO_ERR_MAX];

		if (scenario_load(argv[optind + i], &sc[i], err, sizeof(err))) {
			fprintf(stderr, "ioucmd run: %s\n", err);
			bad++;
		}
	}
	if (bad) {
		for (int i = 0; i < nsc; i++)
			scenario_free(sc[i]);
		free(sc);
		fprintf(stderr, "ioucmd run: %d of %d scenario files are invalid; nothing was run\n",
			bad, nsc);
		return EXIT_USAGE;
	}

	report = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(report, "schema", json_object_new_string(REPORT_SCHEMA));
	if (!uname(&u))
		json_object_object_add(report, "kernel", json_object_new_string(u.release));
	json_object_object_add(report, "scenarios", list);
	printf("TAP version 13\n");
	for (int i = 0; i < nsc; i++) {
		struct json_object *r;

		printf("# scenario %s%s%s\n", sc[i]->path, sc[i]->description[0] ? ": " : "",
		       sc[i]->description);
		fflush(stdout);
		tally.printed = false;
		opts.judged = print_judged;
		opts.arg = &tally;
		r = run_scenario(sc[i], &opts);
		if (!tally.printed)
			print_judged(r, &tally);
		json_object_array_add(list, r);
	}
	failed = tally.failed;
	printf("1..%d\n# %d passed, %d failed\n", tally.n, tally.n - failed, failed);
	if (json_path) {
		if (json_object_to_file_ext(json_path, report, JSON_C_TO_STRING_PRETTY)) {
			fprintf(stderr, "ioucmd run: cannot write %s: %s\n", json_path,
				json_util_get_last_err());
			failed++;
		} else {
			fprintf(stderr, "ioucmd run: report in %s\n", json_path);
		}
	}
	{
		char err[512];

		if (html_path && render_to_file(render_html, report, html_path, err, sizeof(err))) {
			fprintf(stderr, "ioucmd run: %s\n", err);
			failed++;
		}
		if (prom_path && render_to_file(render_prometheus, report, prom_path, err,
						sizeof(err))) {
			fprintf(stderr, "ioucmd run: %s\n", err);
			failed++;
		}
	}
	json_object_put(report);
	for (int i = 0; i < nsc; i++)
		scenario_free(sc[i]);
	free(sc);
	return failed ? EXIT_VIOLATION : EXIT_OK;
}
