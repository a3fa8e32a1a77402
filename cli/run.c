// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd run: scenario files under the tracer, KTAP on stdout, reports on request. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cli.h"
#include "render.h"
#include "report.h"
#include "run.h"
#include "scenario.h"
#include "text.h"

/*
 * Where the shipped scenarios are, relative to the directory of the running binary: the make
 * install puts them at DATADIR/ioucmd/scenarios and this is DATADIR relative to BINDIR (the
 * Makefile passes it), so an install under DESTDIR, a moved prefix or the static binary with
 * its share/ beside it all find them.
 */
#ifndef SCENARIO_DIR_REL
#define SCENARIO_DIR_REL "../share/ioucmd/scenarios"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ioucmd run [-j|--json REPORT.json] [--html REPORT.html] [--prom REPORT.prom]\n"
		"                  [--events TRACE.json] [--stall-timeout DURATION] [--raw]\n"
		"                  SCENARIO.ini|NAME...\n\n"
		"Runs each scenario under the tracer and prints KTAP: one test point per job, per\n"
		"built-in consistency check and per `expect` line; SKIP where this kernel cannot\n"
		"judge. Every file is checked before anything runs. Exit status: 0 all passed,\n"
		"1 a check failed, 2 a bad file or command line. Format: ioucmd-scenario(5).\n"
		"A NAME that is not a file is a shipped scenario (smoke, faults/double-done) in\n"
		"DATADIR/ioucmd/scenarios, found beside the binary as %s.\n",
		SCENARIO_DIR_REL);
}

/*
 * arg as given when that file exists or arg is absolute; otherwise the shipped scenario of that
 * name (NAME or NAME.ini under the scenario directory) when there is one, in buf; else arg, so
 * that the error names what was asked for.
 */
static const char *scenario_path(const char *arg, char *buf, size_t len, char *dir, size_t dirlen)
{
	static const char *const suffixes[] = { "", ".ini" };
	char exe[2048];
	ssize_t n;
	char *slash;

	if (arg[0] == '/' || !access(arg, F_OK))
		return arg;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return arg;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return arg;
	*slash = 0;
	n = snprintf(dir, dirlen, "%s/%s", exe, SCENARIO_DIR_REL);
	if (n < 0 || (size_t)n >= dirlen) {
		dir[0] = 0;
		return arg;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		n = snprintf(buf, len, "%s/%s%s", dir, arg, suffixes[i]);
		if (n > 0 && (size_t)n < len && !access(buf, F_OK))
			return buf;
	}
	return arg;
}

/* KTAP test points so far, and whether the current scenario's are out yet */
struct tally {
	int n;
	int failed;
	bool printed;
	bool raw;	/* unhashed command pointers */
};

static void print_violation(struct tracer *t, const struct ioucmd_event *e, void *arg)
{
	const struct tally *tally = arg;

	text_violation(stderr, t, e, tally->raw);
}

/* news from the run, as KTAP comments between the test points */
static void print_note(const char *line, void *arg)
{
	(void)arg;
	printf("# %s\n", line);
	fflush(stdout);
}

static void print_judged(struct json_object *result, void *arg)
{
	struct tally *t = arg;

	t->failed += render_ktap_checks(stdout, result, &t->n);
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
		case 'S':
			if (cli_duration("--stall-timeout", optarg, 1, &opts.stall_timeout_ns))
				return EXIT_USAGE;
			break;
		case 'r': opts.raw = tally.raw = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	nsc = argc - optind;
	if (nsc < 1) {
		cli_err("name at least one scenario file");
		usage(stderr);
		return EXIT_USAGE;
	}
	sc = calloc(nsc, sizeof(*sc));
	if (!sc)
		return EXIT_USAGE;
	/* all files first: a mistake in the last one must not leave a partial run behind */
	for (int i = 0; i < nsc; i++) {
		char err[SCENARIO_ERR_MAX], shipped[4096], dir[4096] = "";
		const char *path = scenario_path(argv[optind + i], shipped, sizeof(shipped), dir,
						 sizeof(dir));

		if (scenario_load(path, &sc[i], err, sizeof(err))) {
			cli_err("%s", err);
			if (dir[0] && access(path, F_OK))
				cli_err("nor is '%s' a shipped scenario: no %s/%s[.ini]", path, dir, path);
			bad++;
		}
	}
	if (bad) {
		for (int i = 0; i < nsc; i++)
			scenario_free(sc[i]);
		free(sc);
		cli_err("%d of %d scenario files are invalid; nothing was run", bad, nsc);
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
		opts.violation = print_violation;
		opts.note = print_note;
		opts.arg = &tally;
		r = run_scenario(sc[i], &opts);
		if (!tally.printed)
			print_judged(r, &tally);
		json_object_array_add(list, r);
		if (json_object_object_get_ex(r, "kernel_wedged", NULL) && i + 1 < nsc) {
			printf("# %d scenario(s) not run: the kernel is wedged\n", nsc - i - 1);
			tally.failed++;
			tally.n++;
			printf("not ok %d - the scenarios after %s (the kernel is wedged)\n", tally.n,
			       sc[i]->path);
			break;
		}
	}
	failed = tally.failed;
	printf("1..%d\n# %d passed, %d failed\n", tally.n, tally.n - failed, failed);
	if (json_path) {
		if (json_object_to_file_ext(json_path, report, JSON_C_TO_STRING_PRETTY)) {
			cli_err("cannot write %s: %s", json_path, json_util_get_last_err());
			failed++;
		} else {
			cli_err("report in %s", json_path);
		}
	}
	{
		char err[512];

		if (html_path && render_to_file(render_html, report, html_path, err, sizeof(err))) {
			cli_err("%s", err);
			failed++;
		}
		if (prom_path && render_to_file(render_prometheus, report, prom_path, err,
						sizeof(err))) {
			cli_err("%s", err);
			failed++;
		}
	}
	json_object_put(report);
	for (int i = 0; i < nsc; i++)
		scenario_free(sc[i]);
	free(sc);
	return failed ? EXIT_VIOLATION : EXIT_OK;
}
