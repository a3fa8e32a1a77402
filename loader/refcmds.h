/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reference driver's command names, from the one UAPI header's X-macro. */
#ifndef IOUCMD_REFCMDS_H
#define IOUCMD_REFCMDS_H

#include <stdbool.h>
#include <stdint.h>

/* cmd_op of a reference-driver command by name ("NOP_TW"); false if there is none */
bool refcmd_by_name(const char *name, uint32_t *cmd_op);
/* name of a reference-driver cmd_op, or NULL */
const char *refcmd_name(uint32_t cmd_op);

#endif /* IOUCMD_REFCMDS_H */
