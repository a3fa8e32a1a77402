// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Every name that crosses files: see names.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/nvme_ioctl.h>
#include <linux/ublk_cmd.h>
#include <ioucmd/ioucmd_ref.h>
#include "names.h"
#include "util.h"

/* ---- rules, flags, frames: from bpf/cmd_state.h --------------------------------------------- */

#define RULE_NAME(suffix, name)	[IOUCMD_RULE_##suffix] = #name,
static const char *const rule_names[IOUCMD_RULE__COUNT] = { IOUCMD_FOR_EACH_RULE(RULE_NAME) };
#undef RULE_NAME

const char *ioucmd_rule_name(int rule)
{
	return rule >= 0 && rule < IOUCMD_RULE__COUNT ? rule_names[rule] : "unknown";
}

int ioucmd_rule_by_name(const char *name)
{
	for (int r = 0; r < IOUCMD_RULE__COUNT; r++)
		if (!strcasecmp(rule_names[r], name))
			return r;
	return -1;
}

#define FLAG_NAME(name)	[IOUCMD_FB_##name] = #name,
static const char *const flag_names[IOUCMD_F__COUNT] = { IOUCMD_FOR_EACH_FLAG(FLAG_NAME) };
#undef FLAG_NAME

const char *ioucmd_flag_name(int bit)
{
	return bit >= 0 && bit < IOUCMD_F__COUNT ? flag_names[bit] : "?";
}

const char *ioucmd_flags_str(uint32_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (flags == IOUCMD_EXPECT_NONE) {
		snprintf(buf, len, "none (punt to task work)");
		return buf;
	}
	buf[0] = '\0';
	for (int i = 0; i < IOUCMD_F__COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? "|" : "", flag_names[i]);
	}
	if (!used)
		snprintf(buf, len, "0");
	return buf;
}

static const struct {
	const char *name, *what;
} frames[] = {
	[IOUCMD_FRAME_NONE] = { "other", "other context (workqueue, timer, other task)" },
	[IOUCMD_FRAME_HANDLER] = { "handler", "inside the handler" },
	[IOUCMD_FRAME_CANCEL] = { "cancel", "inside the cancel call" },
	[IOUCMD_FRAME_TASK_WORK] = { "task_work", "inside the task-work callback" },
};

const char *ioucmd_frame_name(uint32_t frame)
{
	return frame < ARRAY_SIZE(frames) ? frames[frame].name : "?";
}

const char *ioucmd_frame_what(uint32_t frame)
{
	return frame < ARRAY_SIZE(frames) ? frames[frame].what : "?";
}

/* ---- backends: enum tracer_backend ----------------------------------------------------------- */

static const char *const backend_names[] = {
	[TRACER_AUTO] = "auto", [TRACER_FENTRY] = "fentry", [TRACER_KPROBE] = "kprobe",
	[TRACER_TRACEPOINT] = "tracepoint",
};
_Static_assert(ARRAY_SIZE(backend_names) == TRACER__BACKENDS, "a name for every backend");

const char *tracer_backend_name(enum tracer_backend b)
{
	return (unsigned int)b < ARRAY_SIZE(backend_names) ? backend_names[b] : "?";
}

bool tracer_backend_by_name(const char *name, enum tracer_backend *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(backend_names); i++) {
		if (!strcasecmp(backend_names[i], name)) {
			*b = (enum tracer_backend)i;
			return true;
		}
	}
	return false;
}

void tracer_backend_list(char *buf, size_t len, const char *sep)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(backend_names) && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? sep : "",
					 backend_names[i]);
}

/* ---- the reference driver's commands: include/ioucmd/ioucmd_ref.h ------------------------- */

int ioucmd_ref_nr_of(uint32_t cmd_op)
{
	unsigned int nr = _IOC_NR(cmd_op);

	if (nr >= IOUCMD_REF_NR_SPACE || cmd_op != IOUCMD_REF_CMD(nr) || !ioucmd_ref_cmd_names[nr])
		return -1;
	return (int)nr;
}

void ioucmd_ref_name_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int nr = 0; nr < IOUCMD_REF_NR_SPACE && used < len; nr++)
		if (ioucmd_ref_cmd_names[nr])
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 ioucmd_ref_cmd_names[nr]);
}

/* ---- cmd_op names, per driver -------------------------------------------------------------- */

/*
 * One table per driver whose cmd_ops have names: the prefix its header gives them
 * ("IOUCMD_REF_"), the names indexed by the number inside the cmd_op, and how that number
 * becomes the cmd_op. The reference driver's come from its UAPI header. Other drivers' tables
 * go in cmd_op_tables[] below, one entry each (ublk's UBLK_U_IO_*, NVMe's NVME_URING_CMD_*,
 * sockets' SOCKET_URING_OP_*, the block layer's BLOCK_URING_CMD_*). Drivers may reuse each
 * other's numbers: cmd_op_name() answers with the first table that has one.
 */
struct cmd_op_table {
	const char *prefix;
	const char *const *names;	/* indexed by number; NULL where there is none */
	size_t nr_names;
	uint32_t (*cmd_op)(size_t nr);
};

static uint32_t ref_cmd_op(size_t nr)
{
	return IOUCMD_REF_CMD(nr);
}

/* NVMe passthrough (linux/nvme_ioctl.h): _IOWR('N', 0x80.., struct nvme_uring_cmd) */
static const char *const nvme_names[] = {
	[0x80] = "IO", [0x81] = "IO_VEC", [0x82] = "ADMIN", [0x83] = "ADMIN_VEC",
};

static uint32_t nvme_cmd_op(size_t nr)
{
	return _IOWR('N', nr, struct nvme_uring_cmd);
}

/* ublk's I/O commands on /dev/ublkcN (linux/ublk_cmd.h): _IOWR('u', 0x20.., ublksrv_io_cmd) */
static const char *const ublk_io_names[] = {
	[0x20] = "FETCH_REQ", [0x21] = "COMMIT_AND_FETCH_REQ", [0x22] = "NEED_GET_DATA",
	[0x23] = "REGISTER_IO_BUF", [0x24] = "UNREGISTER_IO_BUF",
};

static uint32_t ublk_io_cmd_op(size_t nr)
{
	return _IOWR('u', nr, struct ublksrv_io_cmd);
}

/*
 * ublk's control commands on /dev/ublk-control: _IOR('u', nr, struct ublksrv_ctrl_cmd) for
 * those that only report, _IOWR for the rest (as linux/ublk_cmd.h spells each)
 */
static const char *const ublk_ctrl_names[] = {
	[0x01] = "GET_QUEUE_AFFINITY", [0x02] = "GET_DEV_INFO", [0x04] = "ADD_DEV",
	[0x05] = "DEL_DEV", [0x06] = "START_DEV", [0x07] = "STOP_DEV", [0x08] = "SET_PARAMS",
	[0x09] = "GET_PARAMS", [0x10] = "START_USER_RECOVERY", [0x11] = "END_USER_RECOVERY",
	[0x12] = "GET_DEV_INFO2", [0x13] = "GET_FEATURES", [0x14] = "DEL_DEV_ASYNC",
};

static uint32_t ublk_ctrl_cmd_op(size_t nr)
{
	switch (nr) {
	case 0x01: case 0x02: case 0x09: case 0x12: case 0x13: case 0x14:
		return _IOR('u', nr, struct ublksrv_ctrl_cmd);
	default:
		return _IOWR('u', nr, struct ublksrv_ctrl_cmd);
	}
}

/* the block layer's (linux/blkdev.h, 6.12+): _IO(0x12, nr) */
static const char *const block_names[] = { [0] = "DISCARD" };

static uint32_t block_cmd_op(size_t nr)
{
	return _IO(0x12, nr);
}

static const struct cmd_op_table cmd_op_tables[] = {
	{ "IOUCMD_REF_", ioucmd_ref_cmd_names, IOUCMD_REF_NR_SPACE, ref_cmd_op },
	{ "NVME_URING_CMD_", nvme_names, ARRAY_SIZE(nvme_names), nvme_cmd_op },
	{ "UBLK_U_IO_", ublk_io_names, ARRAY_SIZE(ublk_io_names), ublk_io_cmd_op },
	{ "UBLK_U_CMD_", ublk_ctrl_names, ARRAY_SIZE(ublk_ctrl_names), ublk_ctrl_cmd_op },
	{ "BLOCK_URING_CMD_", block_names, ARRAY_SIZE(block_names), block_cmd_op },
};

static const char *cmd_op_lookup(uint32_t cmd_op, const struct cmd_op_table **table)
{
	for (size_t t = 0; t < ARRAY_SIZE(cmd_op_tables); t++) {
		const struct cmd_op_table *tab = &cmd_op_tables[t];

		for (size_t nr = 0; nr < tab->nr_names; nr++) {
			if (tab->names[nr] && tab->cmd_op(nr) == cmd_op) {
				*table = tab;
				return tab->names[nr];
			}
		}
	}
	return NULL;
}

const char *cmd_op_name(uint32_t cmd_op)
{
	const struct cmd_op_table *tab;

	return cmd_op_lookup(cmd_op, &tab);
}

const char *cmd_op_str(uint32_t cmd_op, char *buf, size_t len)
{
	static const char *const dir_names[] = { "_IO", "_IOW", "_IOR", "_IOWR" };
	const struct cmd_op_table *tab;
	const char *name = cmd_op_lookup(cmd_op, &tab);
	unsigned int type = _IOC_TYPE(cmd_op), dir = _IOC_DIR(cmd_op);

	/* the reference driver's bare, as -c takes them; other drivers' as their headers spell them */
	if (name)
		snprintf(buf, len, "%s%s", tab == cmd_op_tables ? "" : tab->prefix, name);
	/* an ioctl-style number: its parts, as the driver's header would have written them */
	else if (cmd_op > 0xffff && isprint((int)type) && !(dir == _IOC_NONE && _IOC_SIZE(cmd_op)))
		snprintf(buf, len, "%s('%c', 0x%x, %u)", dir_names[dir & 3], type, _IOC_NR(cmd_op),
			 _IOC_SIZE(cmd_op));
	else
		snprintf(buf, len, "0x%x", cmd_op);
	return buf;
}

bool cmd_op_by_name(const char *name, uint32_t *cmd_op)
{
	for (size_t t = 0; t < ARRAY_SIZE(cmd_op_tables); t++) {
		const struct cmd_op_table *tab = &cmd_op_tables[t];
		size_t plen = strlen(tab->prefix);
		const char *bare = strncasecmp(name, tab->prefix, plen) ? name : name + plen;

		for (size_t nr = 0; nr < tab->nr_names; nr++) {
			if (tab->names[nr] && !strcasecmp(tab->names[nr], bare)) {
				*cmd_op = tab->cmd_op(nr);
				return true;
			}
		}
	}
	return false;
}

/* ---- "did you mean" ------------------------------------------------------------------------ */

/* Levenshtein distance, case-insensitive; words here are short (< 64 characters) */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* one is the other plus a tail ("qdepth" and "qd"): a common way to misremember a key */
static bool shares_prefix(const char *word, const char *cand)
{
	size_t lw = strlen(word), lc = strlen(cand), n = lw < lc ? lw : lc;

	return n >= 2 && !strncasecmp(word, cand, n);
}

const char *closest_name(const char *word, const char *const *candidates, size_t n)
{
	/* a third of the word may be wrong: "latncy" is latency, "foo" is not "qd" */
	size_t limit = strlen(word) / 3 ? strlen(word) / 3 : 1, best = (size_t)-1;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best) {
			best = d;
			found = candidates[i];
		}
	}
	if (found && best <= limit)
		return found;
	for (size_t i = 0; i < n; i++)
		if (shares_prefix(word, candidates[i]))
			return candidates[i];
	return NULL;
}
