/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every name that crosses files, one table each: what a report prints, a command line takes
 * and a scenario file says. The facts behind them have one definition elsewhere (the rules and
 * flags in bpf/cmd_state.h, the reference driver's commands in include/ioucmd/ioucmd_ref.h,
 * the backends in tracer.h); this file only spells them. Lookups by name ignore case.
 */
#ifndef IOUCMD_NAMES_H
#define IOUCMD_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tracer.h"

/* rules: "double_completion", ... (IOUCMD_FOR_EACH_RULE); "unknown" out of range */
const char *ioucmd_rule_name(int rule);
/* the rule called name, or -1 */
int ioucmd_rule_by_name(const char *name);

/* the name of canonical flag bit i: "COMPLETE_DEFER", the kernel's IO_URING_F_ suffix */
const char *ioucmd_flag_name(int bit);
/* canonical IOUCMD_F_* bits decoded, "COMPLETE_DEFER|NONBLOCK" (IOUCMD_FOR_EACH_FLAG) */
const char *ioucmd_flags_str(uint32_t flags, char *buf, size_t len);

/* where done() was called from (enum ioucmd_frame): a report's word, "task_work" */
const char *ioucmd_frame_name(uint32_t frame);
/* ... and the same in a sentence, "inside the task-work callback" */
const char *ioucmd_frame_what(uint32_t frame);

/* backends: "auto", "fentry", "kprobe", "tracepoint" */
const char *tracer_backend_name(enum tracer_backend b);
bool tracer_backend_by_name(const char *name, enum tracer_backend *b);
/* the names joined by sep, for messages: "auto|fentry|kprobe|tracepoint" */
void tracer_backend_list(char *buf, size_t len, const char *sep);

/* the reference driver's command number of cmd_op (ioucmd_ref_cmd_names), or -1 */
int ioucmd_ref_nr_of(uint32_t cmd_op);
/* "NOP, NOP_TW, ..., FAULT_TIMER_DONE" */
void ioucmd_ref_name_list(char *buf, size_t len);

/*
 * cmd_op values by name, for every driver the table knows (lib/names.c, cmd_op_tables[]): the
 * reference driver's, NVMe passthrough's, ublk's and the block layer's. The name of a cmd_op,
 * or NULL; and the cmd_op of a name, spelled with its header's prefix or without, in any case:
 * "IOUCMD_REF_NOP_TW", "NOP_TW", "nop_tw". Sockets' SOCKET_URING_OP_* are small numbers other
 * drivers use too, so they are not named without knowing the handler.
 */
const char *cmd_op_name(uint32_t cmd_op);
bool cmd_op_by_name(const char *name, uint32_t *cmd_op);
/* cmd_op for people: its name, else its _IOC parts ("_IOWR('x', 0x3, 16)"), else hex */
const char *cmd_op_str(uint32_t cmd_op, char *buf, size_t len);

/* the candidate closest to word by edit distance, for "did you mean"; NULL if none is close */
const char *closest_name(const char *word, const char *const *candidates, size_t n);

#endif /* IOUCMD_NAMES_H */
