// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scenario files: see scenario.h and scenarios/README.md.
 *
 * How it works: inih reads the file through our line reader (next_line), which counts lines,
 * keeps the source, and itself recognizes section headers and malformed lines. It does so
 * because Debian's inih gives the handler no line number and calls it only for keys, so empty
 * or duplicate sections would otherwise go unseen. The key handler (on_key) checks every value
 * as it comes, so an error points at its line, and keeps the value as written. When the file is
 * read, each job is built from the defaults, then [global]'s values, then its own, all applied
 * by the same setters; then the job is checked as a whole (conflicts, missing keys).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <ini.h>
#include <linux/nvme_ioctl.h>
#include <ioucmd/ioucmd_ref.h>
#include "scenario.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_LINE	1024	/* inih's line buffer; lines may be 2 shorter ("\n\0") */
#define WHY_MAX		384	/* a message without its "FILE:LINE: " */

/* ---- the keys ------------------------------------------------------------------------------ */

enum key_id {
	/* [global] only */
	K_DESCRIPTION, K_MODULE, K_MODULE_PARAMS, K_MIN_KERNEL, K_BACKEND, K_STALL_TIMEOUT,
	/* [global] or a job: device and ring */
	K_DEVICE, K_ENTRIES, K_SQE128, K_CQE32, K_SQPOLL, K_IOPOLL, K_SINGLE_ISSUER,
	K_DEFER_TASKRUN, K_FIXED_BUFFERS,
	/* the command */
	K_CMD, K_CMD_OP, K_NVME, K_ARG, K_LEN, K_DATA, K_LBA, K_BLOCKS, K_BS,
	/* the load */
	K_COUNT, K_DURATION, K_QD, K_BATCH, K_THREADS, K_FUZZ,
	/* repeatable */
	K_EXPECT,
	K__COUNT
};

/* what setters write to: scenario-wide settings, or a job */
struct target {
	struct scenario *sc;
	struct scenario_job *job;
	const char *key;	/* the key being set, for messages */
};

typedef int (*setter_fn)(struct target *t, const char *value, char *why);

struct key {
	const char *name;
	bool global_only;
	setter_fn set;		/* NULL for expect, which has its own path */
};

/* Every setter: checks value, stores it, or writes a sentence to why (WHY_MAX) and fails. */
#define SETTER(name)	static int name(struct target *t, const char *v, char *why)
SETTER(set_description); SETTER(set_module); SETTER(set_module_params); SETTER(set_min_kernel);
SETTER(set_backend); SETTER(set_stall_timeout); SETTER(set_device); SETTER(set_entries);
SETTER(set_sqe128); SETTER(set_cqe32); SETTER(set_sqpoll); SETTER(set_iopoll);
SETTER(set_single_issuer); SETTER(set_defer_taskrun); SETTER(set_fixed_buffers);
SETTER(set_cmd); SETTER(set_cmd_op); SETTER(set_nvme); SETTER(set_arg); SETTER(set_len);
SETTER(set_data); SETTER(set_lba); SETTER(set_blocks); SETTER(set_bs); SETTER(set_count);
SETTER(set_duration); SETTER(set_qd); SETTER(set_batch); SETTER(set_threads); SETTER(set_fuzz);

static const struct key keys[K__COUNT] = {
	[K_DESCRIPTION]		= { "description", true, set_description },
	[K_MODULE]		= { "module", true, set_module },
	[K_MODULE_PARAMS]	= { "module_params", true, set_module_params },
	[K_MIN_KERNEL]		= { "min_kernel", true, set_min_kernel },
	[K_BACKEND]		= { "backend", true, set_backend },
	[K_STALL_TIMEOUT]	= { "stall_timeout", true, set_stall_timeout },
	[K_DEVICE]		= { "device", false, set_device },
	[K_ENTRIES]		= { "entries", false, set_entries },
	[K_SQE128]		= { "sqe128", false, set_sqe128 },
	[K_CQE32]		= { "cqe32", false, set_cqe32 },
	[K_SQPOLL]		= { "sqpoll", false, set_sqpoll },
	[K_IOPOLL]		= { "iopoll", false, set_iopoll },
	[K_SINGLE_ISSUER]	= { "single_issuer", false, set_single_issuer },
	[K_DEFER_TASKRUN]	= { "defer_taskrun", false, set_defer_taskrun },
	[K_FIXED_BUFFERS]	= { "fixed_buffers", false, set_fixed_buffers },
	[K_CMD]			= { "cmd", false, set_cmd },
	[K_CMD_OP]		= { "cmd_op", false, set_cmd_op },
	[K_NVME]		= { "nvme", false, set_nvme },
	[K_ARG]			= { "arg", false, set_arg },
	[K_LEN]			= { "len", false, set_len },
	[K_DATA]		= { "data", false, set_data },
	[K_LBA]			= { "lba", false, set_lba },
	[K_BLOCKS]		= { "blocks", false, set_blocks },
	[K_BS]			= { "bs", false, set_bs },
	[K_COUNT]		= { "count", false, set_count },
	[K_DURATION]		= { "duration", false, set_duration },
	[K_QD]			= { "qd", false, set_qd },
	[K_BATCH]		= { "batch", false, set_batch },
	[K_THREADS]		= { "threads", false, set_threads },
	[K_FUZZ]		= { "fuzz", false, set_fuzz },
	[K_EXPECT]		= { "expect", false, NULL },
};

/* names people bring from fio and elsewhere, and what they are called here */
static const struct {
	const char *alias, *key;
} key_aliases[] = {
	{ "iodepth", "qd" }, { "qdepth", "qd" }, { "queue_depth", "qd" }, { "depth", "qd" },
	{ "numjobs", "threads" }, { "runtime", "duration" }, { "time", "duration" },
	{ "number_ios", "count" }, { "ios", "count" }, { "filename", "device" },
	{ "dev", "device" }, { "blocksize", "bs" }, { "op", "cmd" }, { "command", "cmd" },
	{ "timeout", "stall_timeout" }, { "kernel", "min_kernel" }, { "fixedbufs", "fixed_buffers" },
	{ "registerfiles", "fixed_buffers" }, { "sq_entries", "entries" },
	{ "iodepth_batch", "batch" }, { "expected", "expect" },
};

/* the keys that choose what command a job sends */
static bool chooses_command(enum key_id id)
{
	return id == K_CMD || id == K_CMD_OP || id == K_NVME;
}

/*
 * The keys that describe the command. They are inherited as a whole: a job that chooses its own
 * command takes none of them from [global] (a global `arg` means nothing to a job's `cmd_op`).
 */
static bool describes_command(enum key_id id)
{
	return chooses_command(id) || id == K_ARG || id == K_LEN || id == K_DATA || id == K_LBA ||
	       id == K_BLOCKS || id == K_BS;
}

static enum key_id key_by_name(const char *name)
{
	for (int id = 0; id < K__COUNT; id++)
		if (!strcmp(keys[id].name, name))
			return (enum key_id)id;
	return K__COUNT;
}

static const char *suggest_key(const char *name)
{
	const char *names[K__COUNT];

	for (size_t i = 0; i < ARRAY_SIZE(key_aliases); i++)
		if (!strcasecmp(key_aliases[i].alias, name))
			return key_aliases[i].key;
	for (int id = 0; id < K__COUNT; id++)
		names[id] = keys[id].name;
	return expect_closest(name, names, K__COUNT);
}

/* ---- the reference driver's commands, from the UAPI header's name table only ------------- */

/* "NOP_TW", "nop_tw" and "IOUCMD_REF_NOP_TW" all name IOUCMD_REF_NOP_TW: returns its nr */
static int ref_cmd_index(const char *name)
{
	if (!strncasecmp(name, "IOUCMD_REF_", 11))
		name += 11;
	for (int nr = 0; nr < IOUCMD_REF_MODES; nr++)
		if (ioucmd_ref_cmd_names[nr] && !strcasecmp(ioucmd_ref_cmd_names[nr], name))
			return nr;
	return -1;
}

/* "NOP, NOP_TW, STATS" */
static void ref_cmd_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int nr = 0; nr < IOUCMD_REF_MODES && used < len; nr++)
		if (ioucmd_ref_cmd_names[nr])
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 ioucmd_ref_cmd_names[nr]);
}

/* ---- value parsers ------------------------------------------------------------------------- */

static void say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
}

/* a decimal or 0x-hex number, with k/m/g (1024-based) suffixes if sizes; false if malformed */
static bool parse_u64(const char *s, bool sizes, uint64_t *out, bool *overflow)
{
	uint64_t v = 0, mult = 1;
	int base = 10, digits = 0;

	*overflow = false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; isxdigit((unsigned char)*s); s++, digits++) {
		unsigned d = isdigit((unsigned char)*s) ? (unsigned)(*s - '0') :
			     (unsigned)(tolower((unsigned char)*s) - 'a' + 10);

		if (d >= (unsigned)base)
			break;
		if (v > (UINT64_MAX - d) / (unsigned)base)
			*overflow = true;
		v = v * (unsigned)base + d;
	}
	if (!digits)
		return false;
	if (sizes && *s && !s[1]) {
		const char *p = strchr("kmg", tolower((unsigned char)*s));

		if (p) {
			mult = 1ull << (10 * (p - "kmg" + 1));
			s++;
		}
	}
	if (*s)
		return false;
	if (v > UINT64_MAX / mult)
		*overflow = true;
	*out = v * mult;
	return true;
}

/* a whole number for key t->key within [min, max], with a message naming the key if not */
static int number(const struct target *t, const char *v, bool sizes, uint64_t min, uint64_t max,
		  uint64_t *out, char *why)
{
	bool overflow;

	if (v[0] == '-') {
		say(why, "'%s' cannot be negative, got '%s'", t->key, v);
		return -1;
	}
	if (!parse_u64(v, sizes, out, &overflow)) {
		say(why, "'%s' expects a number%s, got '%s'", t->key,
		    sizes ? " (with an optional k, m or g suffix)" : " (decimal or 0x hex)", v);
		return -1;
	}
	if (overflow || *out < min || *out > max) {
		say(why, "'%s' must be between %llu and %llu, got '%s'", t->key,
		    (unsigned long long)min, (unsigned long long)max, v);
		return -1;
	}
	return 0;
}

static int number_u32(const struct target *t, const char *v, bool sizes, uint64_t min,
		      uint64_t max, uint32_t *out, char *why)
{
	uint64_t n;

	if (number(t, v, sizes, min, max, &n, why))
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int boolean(const struct target *t, const char *v, bool *out, char *why)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*out = !strcasecmp(v, yes[i]);
			return 0;
		}
	}
	say(why, "'%s' expects a boolean (0/1, true/false, yes/no), got '%s'", t->key, v);
	return -1;
}

static int duration(const struct target *t, const char *v, uint64_t *ns, char *why)
{
	char msg[WHY_MAX - 32];

	if (expect_parse_duration(v, ns, msg, sizeof(msg))) {
		say(why, "'%s': %s", t->key, msg);
		return -1;
	}
	if (!*ns) {
		say(why, "'%s' must be longer than 0", t->key);
		return -1;
	}
	return 0;
}

static int string(const struct target *t, const char *v, char *dst, size_t size, char *why)
{
	if (strlen(v) >= size) {
		say(why, "'%s' is too long (at most %zu characters)", t->key, size - 1);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/* one of names[] (at most 4); its index in *out */
static int choice(const struct target *t, const char *v, const char *const *names, size_t n,
		  int *out, char *why)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(v, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	say(why, "'%s' must be one of %s%s%s%s%s%s%s, got '%s'", t->key, names[0],
	    n > 1 ? "|" : "", n > 1 ? names[1] : "", n > 2 ? "|" : "", n > 2 ? names[2] : "",
	    n > 3 ? "|" : "", n > 3 ? names[3] : "", v);
	return -1;
}

/* ---- setters, one per key ------------------------------------------------------------------ */

SETTER(set_description)
{
	return string(t, v, t->sc->description, sizeof(t->sc->description), why);
}

SETTER(set_module)
{
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			say(why, "'module' must be a module name like ioucmd_ref, got '%s'", v);
			return -1;
		}
	}
	return string(t, v, t->sc->module, sizeof(t->sc->module), why);
}

SETTER(set_module_params)
{
	return string(t, v, t->sc->module_params, sizeof(t->sc->module_params), why);
}

/* "6.12": digits, a dot, digits, nothing else */
SETTER(set_min_kernel)
{
	const char *p = v;
	unsigned long major, minor;
	char *end;

	if (isdigit((unsigned char)*p)) {
		major = strtoul(p, &end, 10);
		if (*end == '.' && isdigit((unsigned char)end[1])) {
			minor = strtoul(end + 1, &end, 10);
			if (!*end && major >= 1 && major < 1000 && minor < 1000) {
				t->sc->min_kernel_major = (unsigned)major;
				t->sc->min_kernel_minor = (unsigned)minor;
				return 0;
			}
		}
	}
	say(why, "'min_kernel' must be MAJOR.MINOR, e.g. 6.12, got '%s'", v);
	return -1;
}

static const char *const backend_names[] = {
	[SCENARIO_BACKEND_AUTO] = "auto", [SCENARIO_BACKEND_FENTRY] = "fentry",
	[SCENARIO_BACKEND_KPROBE] = "kprobe", [SCENARIO_BACKEND_TRACEPOINT] = "tracepoint",
};

SETTER(set_backend)
{
	int b;

	if (choice(t, v, backend_names, ARRAY_SIZE(backend_names), &b, why))
		return -1;
	t->sc->backend = (enum scenario_backend)b;
	return 0;
}

SETTER(set_stall_timeout)
{
	return duration(t, v, &t->sc->stall_timeout_ns, why);
}

SETTER(set_device)
{
	/* socket:udp / socket:tcp: the runner makes a socket for socket uring_cmds */
	if (!strcmp(v, "socket:udp") || !strcmp(v, "socket:tcp"))
		return string(t, v, t->job->device, sizeof(t->job->device), why);
	if (v[0] != '/') {
		say(why, "'device' must be an absolute path like %s, or socket:udp / socket:tcp, "
		    "got '%s'", IOUCMD_REF_DEVPATH, v);
		return -1;
	}
	return string(t, v, t->job->device, sizeof(t->job->device), why);
}

SETTER(set_entries)
{
	uint32_t n;

	if (number_u32(t, v, false, 1, 32768, &n, why))
		return -1;
	if (n & (n - 1)) {
		say(why, "'entries' must be a power of two (1, 2, 4 ... 32768), got '%s'", v);
		return -1;
	}
	t->job->ring.entries = n;
	return 0;
}

SETTER(set_sqe128) { return boolean(t, v, &t->job->ring.sqe128, why); }
SETTER(set_cqe32) { return boolean(t, v, &t->job->ring.cqe32, why); }
SETTER(set_sqpoll) { return boolean(t, v, &t->job->ring.sqpoll, why); }
SETTER(set_iopoll) { return boolean(t, v, &t->job->ring.iopoll, why); }
SETTER(set_single_issuer) { return boolean(t, v, &t->job->ring.single_issuer, why); }
SETTER(set_defer_taskrun) { return boolean(t, v, &t->job->ring.defer_taskrun, why); }
SETTER(set_fixed_buffers) { return boolean(t, v, &t->job->ring.fixed_buffers, why); }

SETTER(set_cmd)
{
	struct scenario_cmd *c = &t->job->cmd;
	int i = ref_cmd_index(v);

	if (i < 0) {
		const char *names[IOUCMD_REF_MODES], *guess;
		size_t n = 0;
		char list[512];

		for (int nr = 0; nr < IOUCMD_REF_MODES; nr++)
			if (ioucmd_ref_cmd_names[nr])
				names[n++] = ioucmd_ref_cmd_names[nr];
		guess = expect_closest(v, names, n);
		ref_cmd_list(list, sizeof(list));
		if (guess)
			say(why, "unknown command '%s'; did you mean '%s'? (the reference driver's "
			    "commands: %s; for other drivers use 'cmd_op')", v, guess, list);
		else
			say(why, "unknown command '%s' (the reference driver's commands: %s; for "
			    "other drivers use 'cmd_op')", v, list);
		return -1;
	}
	c->kind = SCENARIO_CMD_REF;
	c->cmd_op = IOUCMD_REF_CMD(i);
	snprintf(c->name, sizeof(c->name), "%s", ioucmd_ref_cmd_names[i]);
	return 0;
}

SETTER(set_cmd_op)
{
	struct scenario_cmd *c = &t->job->cmd;

	if (number_u32(t, v, false, 0, UINT32_MAX, &c->cmd_op, why))
		return -1;
	c->kind = SCENARIO_CMD_RAW;
	c->name[0] = '\0';
	return 0;
}

static const char *const nvme_names[] = {
	[SCENARIO_NVME_READ] = "read", [SCENARIO_NVME_WRITE] = "write",
	[SCENARIO_NVME_IDENTIFY] = "identify",
};

SETTER(set_nvme)
{
	struct scenario_cmd *c = &t->job->cmd;
	int op;

	if (choice(t, v, nvme_names, ARRAY_SIZE(nvme_names), &op, why))
		return -1;
	c->kind = SCENARIO_CMD_NVME;
	c->nvme = (enum scenario_nvme_op)op;
	c->cmd_op = c->nvme == SCENARIO_NVME_IDENTIFY ? NVME_URING_CMD_ADMIN : NVME_URING_CMD_IO;
	snprintf(c->name, sizeof(c->name), "%s", nvme_names[op]);
	return 0;
}

SETTER(set_arg) { return number(t, v, false, 0, UINT64_MAX, &t->job->cmd.arg, why); }
SETTER(set_len) { return number_u32(t, v, true, 0, UINT32_MAX, &t->job->cmd.len, why); }
SETTER(set_lba) { return number(t, v, false, 0, UINT64_MAX, &t->job->cmd.lba, why); }
/* an NVMe command moves at most 65536 blocks: its block count is a 16-bit field, 0-based */
SETTER(set_blocks) { return number_u32(t, v, false, 1, 65536, &t->job->cmd.blocks, why); }

SETTER(set_bs)
{
	if (number_u32(t, v, true, 512, 1u << 30, &t->job->cmd.bs, why))
		return -1;
	if (t->job->cmd.bs % 512) {
		say(why, "'bs' must be a multiple of 512 bytes, got '%s'", v);
		return -1;
	}
	return 0;
}

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' :
	       isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* one word of hex digits ("de", "0xdeadbeef") appended to the data bytes */
static int hex_word(const char *w, size_t len, struct scenario_cmd *c, char *why)
{
	if (len > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		w += 2;
		len -= 2;
	}
	if (len % 2) {
		say(why, "'data': odd number of hex digits in '%.*s'; write whole bytes, e.g. '0a'",
		    (int)len, w);
		return -1;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(w[i]), lo = hex_digit(w[i + 1]);

		if (hi < 0 || lo < 0) {
			say(why, "'data': '%.*s' is not a hex byte; write bytes like 'de ad be ef'",
			    2, w + i);
			return -1;
		}
		if (c->data_len == SCENARIO_DATA_SQE128) {
			say(why, "'data' has more than %d bytes, the most a 128-byte SQE carries",
			    SCENARIO_DATA_SQE128);
			return -1;
		}
		c->data[c->data_len++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* hex bytes, in words separated by spaces, ':' or ',': "de ad be ef", "de:ad", "0xdeadbeef" */
SETTER(set_data)
{
	struct scenario_cmd *c = &t->job->cmd;
	const char *p = v;

	c->data_len = 0;
	memset(c->data, 0, sizeof(c->data));
	while (*p) {
		size_t len = strcspn(p, " \t:,");

		if (len && hex_word(p, len, c, why))
			return -1;
		p += len;
		p += strspn(p, " \t:,");
	}
	if (!c->data_len) {
		say(why, "'data' has no bytes");
		return -1;
	}
	return 0;
}

SETTER(set_count) { return number(t, v, false, 1, UINT64_MAX, &t->job->load.count, why); }
SETTER(set_duration) { return duration(t, v, &t->job->load.duration_ns, why); }
SETTER(set_qd) { return number_u32(t, v, false, 1, 32768, &t->job->load.qd, why); }
SETTER(set_batch) { return number_u32(t, v, false, 1, 32768, &t->job->load.batch, why); }
SETTER(set_threads) { return number_u32(t, v, false, 1, 256, &t->job->load.threads, why); }

SETTER(set_fuzz)
{
	t->job->load.fuzz = true;
	return number(t, v, false, 0, UINT64_MAX, &t->job->load.fuzz_seed, why);
}

static int apply(enum key_id id, struct target *t, const char *value, char *why)
{
	t->key = keys[id].name;
	return keys[id].set(t, value, why);
}

/* ---- the parser's state -------------------------------------------------------------------- */

/* a [section] as written, before inheritance */
struct section {
	char name[SCENARIO_NAME_MAX];
	int line;
	bool global;
	int key_line[K__COUNT];		/* where each key was set; 0: not set */
	char *raw[K__COUNT];		/* its value as written (checked) */
	struct expect *expects;
	size_t nr_expects;
	int expect_line[SCENARIO_MAX_EXPECTS];
};

struct parser {
	const char *path;
	FILE *file;			/* reading a file, or */
	const char *text;		/* ... text in memory (the rest of it) */
	char *line;			/* the current line */
	size_t cap;
	int lineno;
	char *source;			/* everything read, for sc->source */
	size_t source_len, source_cap;
	struct section *sections;
	size_t nr_sections;
	int cur;			/* index of the current section; -1 before the first */
	struct scenario *sc;
	int err_line;			/* the first error, 0 if none */
	char err[WHY_MAX];
};

static void fail(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* records the first error; later ones are consequences of it */
static void fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return;
	p->err_line = line > 0 ? line : 1;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

static struct section *global_section(struct parser *p)
{
	for (size_t i = 0; i < p->nr_sections; i++)
		if (p->sections[i].global)
			return &p->sections[i];
	return NULL;
}

/* ---- reading lines: counting them, and what inih would reject, said precisely -------------- */

static int append_source(struct parser *p, const char *s, size_t n)
{
	if (p->source_len + n + 1 > p->source_cap) {
		size_t cap = (p->source_len + n + 1) * 2;
		char *grown = realloc(p->source, cap);

		if (!grown)
			return -1;
		p->source = grown;
		p->source_cap = cap;
	}
	memcpy(p->source + p->source_len, s, n);
	p->source_len += n;
	p->source[p->source_len] = '\0';
	return 0;
}

/* the next line of the text in memory into p->line, like getline() */
static ssize_t text_getline(struct parser *p)
{
	size_t n;

	if (!*p->text)
		return -1;
	n = strcspn(p->text, "\n");
	n += p->text[n] == '\n';
	if (n + 1 > p->cap) {
		char *grown = realloc(p->line, n + 1);

		if (!grown)
			return -1;
		p->line = grown;
		p->cap = n + 1;
	}
	memcpy(p->line, p->text, n);
	p->line[n] = '\0';
	p->text += n;
	return (ssize_t)n;
}

/* the line without surrounding space, shortened for messages */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, "\r\n");
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		snprintf(buf, size, "%.*s...", (int)size - 4, s);
	else
		snprintf(buf, size, "%.*s", (int)n, s);
	return buf;
}

/* inih's rule: a ';' starts a comment where it follows whitespace */
static const char *find_or_comment(const char *s, const char *chars)
{
	bool was_space = false;

	for (; *s && !strchr(chars, *s); s++) {
		if (was_space && *s == ';')
			break;
		was_space = isspace((unsigned char)*s);
	}
	return s;
}

static bool valid_section_name(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

static int count_jobs(struct parser *p)
{
	int n = 0;

	for (size_t i = 0; i < p->nr_sections; i++)
		n += !p->sections[i].global;
	return n;
}

/* a "[name]" line: a new section */
static int begin_section(struct parser *p, const char *s)
{
	const char *end = find_or_comment(s + 1, "]"), *after;
	size_t n = (size_t)(end - s - 1);
	struct section *sec;
	char buf[64];

	if (*end != ']') {
		fail(p, p->lineno, "section header '%s' has no closing ']'", shown(s, buf, sizeof(buf)));
		return -1;
	}
	after = end + 1 + strspn(end + 1, " \t\r\n");
	if (*after && *after != ';' && *after != '#') {
		fail(p, p->lineno, "unexpected '%s' after the section header", shown(after, buf, sizeof(buf)));
		return -1;
	}
	if (!valid_section_name(s + 1, n) || n >= SCENARIO_NAME_MAX) {
		fail(p, p->lineno, "bad section name '[%.*s]': use 1 to %d letters, digits, '_', "
		     "'-' or '.'", n > 40 ? 40 : (int)n, s + 1, SCENARIO_NAME_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < p->nr_sections; i++) {
		if (strlen(p->sections[i].name) == n && !strncmp(p->sections[i].name, s + 1, n)) {
			fail(p, p->lineno, "duplicate section [%s] (first on line %d)",
			     p->sections[i].name, p->sections[i].line);
			return -1;
		}
	}
	sec = realloc(p->sections, (p->nr_sections + 1) * sizeof(*sec));
	if (!sec) {
		fail(p, p->lineno, "out of memory");
		return -1;
	}
	p->sections = sec;
	sec = &p->sections[p->nr_sections];
	memset(sec, 0, sizeof(*sec));
	memcpy(sec->name, s + 1, n);
	sec->line = p->lineno;
	sec->global = !strcmp(sec->name, "global");
	if (!sec->global && count_jobs(p) >= SCENARIO_MAX_JOBS) {
		fail(p, p->lineno, "too many jobs (at most %d)", SCENARIO_MAX_JOBS);
		return -1;
	}
	p->cur = (int)p->nr_sections++;
	return 0;
}

/* what inih would do with the line, decided first so that errors can say what is wrong */
static int lex_line(struct parser *p)
{
	const char *s = p->line, *end;
	char buf[64];

	if (p->lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))	/* a UTF-8 BOM, as inih allows */
		s += 3;
	s += strspn(s, " \t\r\n\v\f");
	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (*s == '[')
		return begin_section(p, s);
	end = find_or_comment(s, "=:");
	if (*end != '=' && *end != ':') {
		fail(p, p->lineno, "expected 'key = value', '[section]' or a comment, got '%s'",
		     shown(s, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

/* inih's reader: hands it the next line, or NULL to stop (at the end, or at an error) */
static char *next_line(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	ssize_t n;

	if (p->err_line)
		return NULL;
	n = p->file ? getline(&p->line, &p->cap, p->file) : text_getline(p);
	if (n < 0)
		return NULL;
	p->lineno++;
	if (append_source(p, p->line, (size_t)n)) {
		fail(p, p->lineno, "out of memory");
		return NULL;
	}
	if (strlen(p->line) != (size_t)n) {
		fail(p, p->lineno, "NUL byte in line: this is not a text file");
		return NULL;
	}
	if (n + 2 > size) {
		fail(p, p->lineno, "line is too long (%zd characters, at most %d)",
		     n - (p->line[n - 1] == '\n'), size - 2);
		return NULL;
	}
	if (lex_line(p))
		return NULL;
	memcpy(buf, p->line, (size_t)n + 1);
	return buf;
}

/* ---- the key handler ----------------------------------------------------------------------- */

static int add_expect(struct parser *p, struct section *sec, const char *value)
{
	char why[WHY_MAX - 16];
	struct expect e, *grown;

	if (expect_parse(value, &e, why, sizeof(why))) {
		fail(p, p->lineno, "expect: %s", why);
		return -1;
	}
	if (sec->nr_expects == SCENARIO_MAX_EXPECTS) {
		fail(p, p->lineno, "too many 'expect' lines in [%s] (at most %d)", sec->name,
		     SCENARIO_MAX_EXPECTS);
		return -1;
	}
	grown = realloc(sec->expects, (sec->nr_expects + 1) * sizeof(*grown));
	if (!grown) {
		fail(p, p->lineno, "out of memory");
		return -1;
	}
	e.line = p->lineno;
	sec->expects = grown;
	sec->expect_line[sec->nr_expects] = p->lineno;
	sec->expects[sec->nr_expects++] = e;
	return 0;
}

static int unknown_key(struct parser *p, struct section *sec, const char *name)
{
	const char *guess = suggest_key(name);

	if (guess)
		fail(p, p->lineno, "unknown key '%s' in [%s]; did you mean '%s'?", name, sec->name,
		     guess);
	else
		fail(p, p->lineno, "unknown key '%s' in [%s] (see scenarios/README.md for the keys)",
		     name, sec->name);
	return -1;
}

/* a value without one pair of surrounding double quotes, which strings may have */
static char *unquote(const char *value)
{
	size_t n = strlen(value);

	if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
		return strndup(value + 1, n - 2);
	return strdup(value);
}

/* checks one key's value, in a scratch job: jobs are built from the values once all are read */
static int check_value(struct parser *p, enum key_id id, const char *value)
{
	struct scenario_job scratch;
	struct target t = { p->sc, &scratch, "" };
	char why[WHY_MAX];

	memset(&scratch, 0, sizeof(scratch));
	if (!*value) {
		fail(p, p->lineno, "'%s' has no value", keys[id].name);
		return -1;
	}
	if (apply(id, &t, value, why)) {
		fail(p, p->lineno, "%s", why);
		return -1;
	}
	return 0;
}

static int handle_key(struct parser *p, struct section *sec, const char *name, const char *value)
{
	enum key_id id = key_by_name(name);
	char *v;

	if (!*name) {
		fail(p, p->lineno, "missing key name before '='");
		return -1;
	}
	if (id == K__COUNT)
		return unknown_key(p, sec, name);
	if (keys[id].global_only && !sec->global) {
		fail(p, p->lineno, "'%s' is only allowed in [global], not in [%s]", name, sec->name);
		return -1;
	}
	if (id == K_EXPECT)
		return add_expect(p, sec, value);
	if (sec->key_line[id]) {
		fail(p, p->lineno, "duplicate key '%s' in [%s] (first set on line %d)", name,
		     sec->name, sec->key_line[id]);
		return -1;
	}
	v = unquote(value);
	if (!v) {
		fail(p, p->lineno, "out of memory");
		return -1;
	}
	if (check_value(p, id, v)) {
		free(v);
		return -1;
	}
	sec->raw[id] = v;
	sec->key_line[id] = p->lineno;
	return 0;
}

/* inih's handler: nonzero to go on. The section argument is ignored: begin_section() tracks it. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	(void)section;
	if (p->err_line)
		return 0;
	if (p->cur < 0) {
		fail(p, p->lineno, "key '%s' is outside any section: put it under [global] or a "
		     "job's [name]", name);
		return 0;
	}
	return handle_key(p, &p->sections[p->cur], name, value ? value : "") == 0;
}

/* ---- building and checking jobs ------------------------------------------------------------ */

/* the section a job takes key id from, or NULL for the default */
static const struct section *source_of(const struct section *g, const struct section *j,
				       enum key_id id)
{
	bool own_command = j->key_line[K_CMD] || j->key_line[K_CMD_OP] || j->key_line[K_NVME];

	if (j->key_line[id])
		return j;
	if (!g || !g->key_line[id] || (describes_command(id) && own_command))
		return NULL;
	return g;
}

/* where a job's key got its value: its own section, [global], or 0 for the default */
static int key_line(const struct section *g, const struct section *j, enum key_id id)
{
	const struct section *src = source_of(g, j, id);

	return src ? src->key_line[id] : 0;
}

static int max_line(int a, int b)
{
	return a > b ? a : b;
}

static void job_defaults(struct scenario_job *job, const struct section *j)
{
	memset(job, 0, sizeof(*job));
	snprintf(job->name, sizeof(job->name), "%s", j->name);
	job->line = j->line;
	job->ring.entries = SCENARIO_DEF_ENTRIES;
	job->load.qd = SCENARIO_DEF_QD;
	job->load.batch = SCENARIO_DEF_BATCH;
	job->load.threads = SCENARIO_DEF_THREADS;
}

static void build_job(struct parser *p, const struct section *g, const struct section *j,
		      struct scenario_job *job)
{
	struct target t = { p->sc, job, "" };
	char why[WHY_MAX];

	job_defaults(job, j);
	for (int id = 0; id < K__COUNT; id++) {
		const struct section *src;

		if (keys[id].global_only || id == K_EXPECT)
			continue;
		src = source_of(g, j, (enum key_id)id);
		/* every value was checked when it was read, so this cannot fail */
		if (src && apply((enum key_id)id, &t, src->raw[id], why))
			fail(p, src->key_line[id], "%s", why);
	}
	if (job->cmd.kind == SCENARIO_CMD_NVME && !job->cmd.blocks && !job->cmd.bs &&
	    job->cmd.nvme != SCENARIO_NVME_IDENTIFY)
		job->cmd.blocks = SCENARIO_DEF_BLOCKS;
}

/* two keys that choose the command in one section */
static int check_one_command(struct parser *p, const struct section *sec)
{
	static const enum key_id choosers[] = { K_CMD, K_CMD_OP, K_NVME };
	enum key_id first = K__COUNT;

	for (size_t i = 0; i < ARRAY_SIZE(choosers); i++) {
		enum key_id id = choosers[i];

		if (!sec->key_line[id])
			continue;
		if (first == K__COUNT) {
			first = id;
			continue;
		}
		fail(p, max_line(sec->key_line[id], sec->key_line[first]),
		     "'%s' and '%s' both choose the command of [%s]; keep one", keys[first].name,
		     keys[id].name, sec->name);
		return -1;
	}
	return 0;
}

static int check_required(struct parser *p, const struct scenario_job *job)
{
	if (!job->device[0]) {
		fail(p, job->line, "[%s] has no 'device': set it there or in [global] (e.g. "
		     "device = %s)", job->name, IOUCMD_REF_DEVPATH);
		return -1;
	}
	if (!job->cmd.kind) {
		fail(p, job->line, "[%s] has no command: set 'cmd' (a reference-driver command), "
		     "'cmd_op' (any driver) or 'nvme' there or in [global]", job->name);
		return -1;
	}
	if (!job->load.count && !job->load.duration_ns) {
		fail(p, job->line, "[%s] has neither 'count' nor 'duration': say how many commands "
		     "to run or for how long", job->name);
		return -1;
	}
	return 0;
}

/* a key set for a job whose command does not use it */
static int check_applies(struct parser *p, const struct section *g, const struct section *j,
			 const struct scenario_job *job)
{
	static const struct {
		enum key_id id;
		enum scenario_cmd_kind kind;
		const char *only;
	} uses[] = {
		{ K_ARG, SCENARIO_CMD_REF, "'cmd' (reference-driver) commands; for 'cmd_op' "
					   "put the bytes in 'data'" },
		{ K_LEN, SCENARIO_CMD_REF, "'cmd' (reference-driver) commands; for 'cmd_op' "
					   "put the bytes in 'data'" },
		{ K_DATA, SCENARIO_CMD_RAW, "'cmd_op' commands" },
		{ K_LBA, SCENARIO_CMD_NVME, "'nvme' commands" },
		{ K_BLOCKS, SCENARIO_CMD_NVME, "'nvme' commands" },
		{ K_BS, SCENARIO_CMD_NVME, "'nvme' commands" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(uses); i++) {
		int line = key_line(g, j, uses[i].id);

		if (!line)
			continue;
		if (job->cmd.kind != uses[i].kind) {
			fail(p, line, "'%s' only applies to %s (in [%s])", keys[uses[i].id].name,
			     uses[i].only, job->name);
			return -1;
		}
		if (job->cmd.kind == SCENARIO_CMD_NVME && job->cmd.nvme == SCENARIO_NVME_IDENTIFY) {
			fail(p, line, "'%s' does not apply to 'nvme = identify' (in [%s])",
			     keys[uses[i].id].name, job->name);
			return -1;
		}
	}
	if (key_line(g, j, K_BLOCKS) && key_line(g, j, K_BS)) {
		fail(p, max_line(key_line(g, j, K_BLOCKS), key_line(g, j, K_BS)),
		     "'blocks' and 'bs' both give the size of [%s]'s commands; keep one", job->name);
		return -1;
	}
	return 0;
}

/* what the kernel would refuse (io_uring_setup) or the SQE cannot hold */
static int check_ring(struct parser *p, const struct section *g, const struct section *j,
		      const struct scenario_job *job)
{
	const struct scenario_ring *r = &job->ring;

	if (job->cmd.data_len > SCENARIO_DATA_SQE64 && !r->sqe128) {
		fail(p, key_line(g, j, K_DATA), "'data' has %u bytes but a 64-byte SQE carries %d: "
		     "set 'sqe128 = 1' for up to %d (in [%s])", job->cmd.data_len,
		     SCENARIO_DATA_SQE64, SCENARIO_DATA_SQE128, job->name);
		return -1;
	}
	if (r->defer_taskrun && !r->single_issuer) {
		fail(p, key_line(g, j, K_DEFER_TASKRUN), "'defer_taskrun = 1' needs "
		     "'single_issuer = 1': io_uring_setup() refuses it otherwise (in [%s])",
		     job->name);
		return -1;
	}
	if (r->defer_taskrun && r->sqpoll) {
		fail(p, max_line(key_line(g, j, K_DEFER_TASKRUN), key_line(g, j, K_SQPOLL)),
		     "'defer_taskrun' and 'sqpoll' cannot be combined: io_uring_setup() refuses "
		     "it (in [%s])", job->name);
		return -1;
	}
	return 0;
}

static int check_load(struct parser *p, const struct section *g, const struct section *j,
		      const struct scenario_job *job)
{
	const struct scenario_load *l = &job->load;

	if (l->qd > job->ring.entries) {
		fail(p, max_line(key_line(g, j, K_QD), key_line(g, j, K_ENTRIES)),
		     "'qd' = %u is more than the ring's 'entries' = %u (in [%s])", l->qd,
		     job->ring.entries, job->name);
		return -1;
	}
	if (l->batch > l->qd) {
		fail(p, max_line(key_line(g, j, K_BATCH), key_line(g, j, K_QD)),
		     "'batch' = %u is more than 'qd' = %u (in [%s])", l->batch, l->qd, job->name);
		return -1;
	}
	return 0;
}

/* expectations on res2 need big CQEs, which carry it */
static int check_expects_cqe32(struct parser *p, const struct expect *e, size_t n,
			       const struct scenario_job *job)
{
	for (size_t i = 0; i < n; i++) {
		if (expect_field_needs_cqe32(e[i].field) && !job->ring.cqe32) {
			fail(p, e[i].line, "expectation on '%s' needs 'cqe32 = 1' (only 32-byte CQEs "
			     "carry res2), but [%s] has cqe32 = 0", e[i].field, job->name);
			return -1;
		}
	}
	return 0;
}

static int check_job(struct parser *p, const struct section *g, const struct section *j,
		     const struct scenario_job *job)
{
	if (check_one_command(p, j) || check_required(p, job) || check_applies(p, g, j, job) ||
	    check_ring(p, g, j, job) || check_load(p, g, j, job) ||
	    check_expects_cqe32(p, job->expects, job->nr_expects, job))
		return -1;
	if (g && check_expects_cqe32(p, g->expects, g->nr_expects, job))
		return -1;
	return 0;
}

static int check_global(struct parser *p, const struct section *g)
{
	if (!g)
		return 0;
	if (check_one_command(p, g))
		return -1;
	if (g->key_line[K_MODULE_PARAMS] && !g->key_line[K_MODULE]) {
		fail(p, g->key_line[K_MODULE_PARAMS], "'module_params' without 'module': say which "
		     "module they are for");
		return -1;
	}
	return 0;
}

/* moves the expectations out of a section (the scenario owns them from here) */
static void take_expects(struct section *sec, struct expect **out, size_t *n)
{
	*out = sec->expects;
	*n = sec->nr_expects;
	sec->expects = NULL;
	sec->nr_expects = 0;
}

static int build_jobs(struct parser *p)
{
	struct section *g = global_section(p);
	struct scenario *sc = p->sc;
	int nr = count_jobs(p);

	if (check_global(p, g))
		return -1;
	if (!nr) {
		fail(p, p->lineno, "%s: add a job section such as [job1] with a 'device', a 'cmd' "
		     "and a 'count' or 'duration'", p->lineno ? "no jobs" : "the file is empty");
		return -1;
	}
	sc->jobs = calloc((size_t)nr, sizeof(*sc->jobs));
	if (!sc->jobs) {
		fail(p, 1, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->nr_sections; i++) {
		struct section *j = &p->sections[i];
		struct scenario_job *job = &sc->jobs[sc->nr_jobs];

		if (j->global)
			continue;
		build_job(p, g, j, job);
		take_expects(j, &job->expects, &job->nr_expects);
		sc->nr_jobs++;
		if (p->err_line || check_job(p, g, j, job))
			return -1;
	}
	if (g)
		take_expects(g, &sc->expects, &sc->nr_expects);
	return 0;
}

/* ---- entry points -------------------------------------------------------------------------- */

/* inih's options are globals in Debian's build: ours for the parse, the caller's afterwards */
struct ini_options {
	bool multiline, inline_comments, stop_on_first_error, no_value, bom, use_stack;
	int max_line;
	char *start_comments, *inline_comments_prefixes;
};

static void ini_options_set(struct ini_options *saved)
{
	*saved = (struct ini_options){
		ini_allow_multiline, ini_allow_inline_comments, ini_stop_on_first_error,
		ini_allow_no_value, ini_allow_bom, ini_use_stack, ini_max_line,
		ini_start_comment_prefixes, ini_inline_comment_prefixes,
	};
	/* no continuation lines: an indented line is an ordinary one, as in fio */
	ini_allow_multiline = false;
	ini_allow_inline_comments = true;
	ini_inline_comment_prefixes = ";";
	ini_start_comment_prefixes = ";#";
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;
	ini_allow_bom = true;
	ini_use_stack = true;
	ini_max_line = MAX_LINE;
}

static void ini_options_restore(const struct ini_options *saved)
{
	ini_allow_multiline = saved->multiline;
	ini_allow_inline_comments = saved->inline_comments;
	ini_stop_on_first_error = saved->stop_on_first_error;
	ini_allow_no_value = saved->no_value;
	ini_allow_bom = saved->bom;
	ini_use_stack = saved->use_stack;
	ini_max_line = saved->max_line;
	ini_start_comment_prefixes = saved->start_comments;
	ini_inline_comment_prefixes = saved->inline_comments_prefixes;
}

static void parser_cleanup(struct parser *p)
{
	for (size_t i = 0; i < p->nr_sections; i++) {
		for (int id = 0; id < K__COUNT; id++)
			free(p->sections[i].raw[id]);
		free(p->sections[i].expects);
	}
	free(p->sections);
	free(p->line);
	free(p->source);
}

static int parse(struct parser *p, struct scenario **out, char *err, size_t errlen)
{
	struct ini_options saved;
	int ret;

	*out = NULL;
	p->cur = -1;
	p->sc = calloc(1, sizeof(*p->sc));
	if (!p->sc) {
		snprintf(err, errlen, "%s: out of memory", p->path);
		return -1;
	}
	ini_options_set(&saved);
	ret = ini_parse_stream(next_line, p, on_key, p);
	ini_options_restore(&saved);
	if (p->file && ferror(p->file))
		fail(p, p->lineno + 1, "read error: %s", strerror(errno));
	/* inih's own complaints are caught earlier by lex_line(); this is a safety net */
	if (ret > 0)
		fail(p, ret, "syntax error");
	else if (ret < 0)
		fail(p, p->lineno, "cannot parse (inih error %d)", ret);
	if (!p->err_line)
		build_jobs(p);
	if (!p->err_line) {
		p->sc->path = strdup(p->path);
		p->sc->source = p->source ? p->source : strdup("");
		p->source = NULL;
		if (!p->sc->path || !p->sc->source)
			fail(p, 1, "out of memory");
	}
	parser_cleanup(p);
	if (p->err_line) {
		snprintf(err, errlen, "%s:%d: %s", p->path, p->err_line, p->err);
		scenario_free(p->sc);
		return -1;
	}
	*out = p->sc;
	return 0;
}

int scenario_load(const char *path, struct scenario **out, char *err, size_t errlen)
{
	struct parser p = { .path = path };
	int ret;

	*out = NULL;
	p.file = fopen(path, "r");
	if (!p.file) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	ret = parse(&p, out, err, errlen);
	fclose(p.file);
	return ret;
}

int scenario_parse_string(const char *name, const char *text, struct scenario **out,
			  char *err, size_t errlen)
{
	struct parser p = { .path = name, .text = text };

	return parse(&p, out, err, errlen);
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nr_jobs; i++)
		free(sc->jobs[i].expects);
	free(sc->jobs);
	free(sc->expects);
	free(sc->path);
	free(sc->source);
	free(sc);
}

size_t scenario_cmd_payload(const struct scenario_cmd *cmd, void *buf, size_t buflen)
{
	struct ioucmd_ref_cmd ref = { .arg = cmd->arg, .len = cmd->len, .flags = 0 };
	const void *src = NULL;
	size_t n = 0;

	memset(buf, 0, buflen);
	if (cmd->kind == SCENARIO_CMD_REF) {
		src = &ref;
		n = sizeof(ref);
	} else if (cmd->kind == SCENARIO_CMD_RAW) {
		src = cmd->data;
		n = cmd->data_len;
	}
	if (n > buflen)
		n = buflen;
	if (n)
		memcpy(buf, src, n);
	return n;
}

const char *scenario_backend_name(enum scenario_backend b)
{
	return (unsigned)b < ARRAY_SIZE(backend_names) ? backend_names[b] : "?";
}

const char *scenario_nvme_op_name(enum scenario_nvme_op op)
{
	return (unsigned)op < ARRAY_SIZE(nvme_names) ? nvme_names[op] : "?";
}
