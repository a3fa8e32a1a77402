// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioucmd report: renders a saved JSON report (from `run -j` or `trace -j`). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "render.h"
#include "report.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: ioucmd report REPORT.json [--html OUT.html] [--prom OUT.prom]\n\n"
		"Renders a report saved by 'ioucmd run -j' or 'ioucmd trace -j': a self-contained\n"
		"HTML page, and/or a Prometheus textfile for node_exporter.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "html", required_argument, 0, 'H' }, { "prom", required_argument, 0, 'P' },
		{ "help", no_argument, 0, 'h' }, { 0 },
	};
	const char *html = NULL, *prom = NULL, *schema;
	struct json_object *report;
	char err[512];
	int c, ret = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': html = optarg; break;
		case 'P': prom = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (!html && !prom)) {
		cli_err("name one REPORT.json and at least one of --html, --prom");
		return EXIT_USAGE;
	}
	report = json_object_from_file(argv[optind]);
	if (!report) {
		cli_err("cannot read %s: %s", argv[optind],
			json_util_get_last_err());
		return EXIT_USAGE;
	}
	schema = json_object_get_string(json_object_object_get(report, "schema"));
	if (!schema || strcmp(schema, REPORT_SCHEMA)) {
		cli_err("%s is not an ioucmd report (schema '%s', want '%s')",
			argv[optind], schema ? schema : "none", REPORT_SCHEMA);
		json_object_put(report);
		return EXIT_USAGE;
	}
	if (html && render_to_file(render_html, report, html, err, sizeof(err))) {
		cli_err("%s", err);
		ret = EXIT_USAGE;
	}
	if (prom && render_to_file(render_prometheus, report, prom, err, sizeof(err))) {
		cli_err("%s", err);
		ret = EXIT_USAGE;
	}
	json_object_put(report);
	return ret;
}
