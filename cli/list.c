// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd list: what each backend does on this kernel (tried, not guessed: a load that fails
 * here shows its error), and the ->uring_cmd handlers in BTF.
 */
#include <stdio.h>
#include <string.h>
#include "discover.h"
#include "cli.h"
#include "names.h"
#include "tracer.h"

#define MAX_LISTED 256

/* loads and attaches one backend for every handler, then detaches: its verdict in one line */
static void try_backend(enum tracer_backend b)
{
	struct tracer_opts opts = { .backend = b, .stall_timeout_ns = 1000000000ull };
	char err[512];
	struct tracer *t = tracer_open(&opts, err, sizeof(err));

	printf("%-12s ", tracer_backend_name(b));
	if (!t) {
		printf("fails here: %s\n", err);
		return;
	}
	if (b == TRACER_TRACEPOINT)
		printf("works: io_uring's tracepoints, every handler (submissions and CQEs only)\n");
	else
		printf("works: every handler, through the dispatcher; done() is %s\n",
		       tracer_features(t)->done_func);
	tracer_detach(t, TRACER_DETACH_TIMEOUT_NS);
}

int cmd_list(int argc, char **argv)
{
	static struct handler_info h[MAX_LISTED];
	char err[256];
	int n;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: ioucmd list\n\nTries each backend on this kernel (loads and attaches "
		       "it, then detaches) and says\nwhich work, with the error of those that do "
		       "not; then lists every function in\nvmlinux and module BTF whose prototype "
		       "is a ->uring_cmd handler. A function with\nthe prototype need not be any "
		       "file's ->uring_cmd: the tracer names handlers from\nthe requests' files, "
		       "as traffic comes.\n");
		return EXIT_OK;
	}
	if (cli_no_more(argc, argv, 1))
		return EXIT_USAGE;
	n = discover_handlers(h, MAX_LISTED, err, sizeof(err));
	if (n < 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	printf("%-12s %s\n", "BACKEND", "ON THIS KERNEL");
	try_backend(TRACER_FENTRY);
	try_backend(TRACER_KPROBE);
	try_backend(TRACER_TRACEPOINT);
	printf("\n%-36s %-16s %s\n", "HANDLER (prototype)", "MODULE", "KALLSYMS");
	for (int i = 0; i < n && i < MAX_LISTED; i++)
		printf("%-36s %-16s %s\n", h[i].name, h[i].module,
		       h[i].attachable ? "yes" : "no (inlined or static: not callable by address)");
	return EXIT_OK;
}
