// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <strings.h>
#include <ioucmd/ioucmd_ref.h>
#include "refcmds.h"

#define REFCMD_ENTRY(NAME, NR) { #NAME, IOUCMD_REF_CMD(NR) },
static const struct {
	const char *name;
	uint32_t cmd_op;
} refcmds[] = { IOUCMD_REF_FOR_EACH_CMD(REFCMD_ENTRY) };

bool refcmd_by_name(const char *name, uint32_t *cmd_op)
{
	for (size_t i = 0; i < sizeof(refcmds) / sizeof(refcmds[0]); i++) {
		if (!strcasecmp(refcmds[i].name, name)) {
			*cmd_op = refcmds[i].cmd_op;
			return true;
		}
	}
	return false;
}

const char *refcmd_name(uint32_t cmd_op)
{
	for (size_t i = 0; i < sizeof(refcmds) / sizeof(refcmds[0]); i++)
		if (refcmds[i].cmd_op == cmd_op)
			return refcmds[i].name;
	return NULL;
}
