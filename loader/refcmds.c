// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <strings.h>
#include <ioucmd/ioucmd_ref.h>
#include "refcmds.h"

bool refcmd_by_name(const char *name, uint32_t *cmd_op)
{
	for (unsigned int nr = 0; nr < IOUCMD_REF_MODES; nr++) {
		if (ioucmd_ref_cmd_names[nr] && !strcasecmp(ioucmd_ref_cmd_names[nr], name)) {
			*cmd_op = IOUCMD_REF_CMD(nr);
			return true;
		}
	}
	return false;
}

const char *refcmd_name(uint32_t cmd_op)
{
	for (unsigned int nr = 0; nr < IOUCMD_REF_MODES; nr++)
		if (ioucmd_ref_cmd_names[nr] && IOUCMD_REF_CMD(nr) == cmd_op)
			return ioucmd_ref_cmd_names[nr];
	return NULL;
}
