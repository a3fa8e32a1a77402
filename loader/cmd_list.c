// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "discover.h"
#include "cli.h"

#define MAX_LISTED 256

int cmd_list(int argc, char **argv)
{
	static struct handler_info h[MAX_LISTED];
	char err[256];
	int n;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: ioucmd list\n\nLists every function in vmlinux and module BTF whose "
		       "prototype is a ->uring_cmd handler,\nand whether fentry can attach to it.\n");
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "ioucmd list: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	n = discover_handlers(h, MAX_LISTED, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "ioucmd list: %s\n", err);
		return EXIT_USAGE;
	}
	printf("%-36s %-16s %s\n", "HANDLER", "MODULE", "ATTACH");
	for (int i = 0; i < n && i < MAX_LISTED; i++)
		printf("%-36s %-16s %s\n", h[i].name, h[i].module,
		       h[i].attachable ? "fentry/fexit" : "not in kallsyms (inlined?)");
	return EXIT_OK;
}
