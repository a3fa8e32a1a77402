// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scenario files: see scenario.h and scenarios/README.md.
 *
 * How it works: the text is read whole (it is kept for reports) and lexed line by line
 * (ini_lex.c). Every key is described once in keys[] below: its name, where it may stand, its
 * type and bounds, the field it sets and its default. A value is checked the moment its line is
 * read, in a scratch job, so an error points at its line; the text is kept. When the file is
 * read, each job is built from the defaults, then [global]'s values, then its own, all stored
 * by the same descriptors; then the job is checked as a whole (conflicts, missing keys).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/nvme_ioctl.h>
#include <ioucmd/ioucmd_ref.h>
#include "ini_lex.h"
#include "names.h"
#include "parse.h"
#include "util.h"
#include "scenario.h"

#define WHY_MAX		384	/* a message without its "FILE:LINE: " */
#define FILE_MAX	(1 << 20)	/* scenario files are small: a larger one is a mistake */

/* ---- the keys ------------------------------------------------------------------------------ */

enum key_type {
	T_STRING,	/* char[size], at most size - 1 characters */
	T_BOOL,
	T_U32,		/* a number within [min, max] */
	T_U64,
	T_SIZE32,	/* a size (k, m, g) within [min, max] */
	T_DURATION,	/* nanoseconds, at least min; a bare number counts seconds */
	T_CUSTOM,	/* key->set parses and stores */
	T_EXPECT,	/* repeatable; kept apart (section->expects) */
};

/* what a key has to do with the job's command (inherited as a whole, see source_of()) */
enum key_command {
	NOT_COMMAND,
	CHOOSES,	/* names the command: cmd, cmd_op, nvme */
	DESCRIBES,	/* describes it; applies only to commands of key->kind */
};

struct key {
	const char *name;
	enum key_type type;
	bool global_only;		/* [global] only: a field of struct scenario */
	size_t offset;			/* in struct scenario, or struct scenario_job */
	size_t size;			/* T_STRING: the buffer */
	uint64_t min, max;		/* numbers and sizes; durations: min only */
	uint64_t def;			/* a job's default, where it is not 0 */
	/* T_CUSTOM: parse and store v into base (a scenario or a job); 0, or -1 with why */
	int (*set)(void *base, const char *v, char *why);
	/* numbers: why v is refused beyond its bounds (a clause), or NULL */
	const char *(*refuse)(uint64_t v);
	enum key_command command;
	enum scenario_cmd_kind kind;	/* DESCRIBES: the kind of command it applies to */
};

#define SC(field)	.global_only = true, .offset = offsetof(struct scenario, field), \
			.size = sizeof(((struct scenario *)0)->field)
#define JOB(field)	.offset = offsetof(struct scenario_job, field), \
			.size = sizeof(((struct scenario_job *)0)->field)

static int set_module(void *base, const char *v, char *why);
static int set_min_kernel(void *base, const char *v, char *why);
static int set_backend(void *base, const char *v, char *why);
static int set_device(void *base, const char *v, char *why);
static int set_cmd(void *base, const char *v, char *why);
static int set_cmd_op(void *base, const char *v, char *why);
static int set_nvme(void *base, const char *v, char *why);
static int set_data(void *base, const char *v, char *why);
static int set_fuzz(void *base, const char *v, char *why);
static int set_arg_data(void *base, const char *v, char *why);
static int set_sqe_scribble(void *base, const char *v, char *why);
static int set_arg_scribble(void *base, const char *v, char *why);
static const char *not_power_of_two(uint64_t v);
static const char *not_sector_multiple(uint64_t v);

enum key_id {
	K_DESCRIPTION, K_MODULE, K_MODULE_PARAMS, K_MIN_KERNEL, K_BACKEND, K_STALL_TIMEOUT,
	K_DEVICE, K_ENTRIES, K_SQE128, K_CQE32, K_SQPOLL, K_IOPOLL, K_HYBRID_IOPOLL, K_SQE_ASYNC,
	K_SINGLE_ISSUER,
	K_DEFER_TASKRUN, K_FIXED_BUFFERS,
	K_CMD, K_CMD_OP, K_NVME, K_ARG, K_LEN, K_DATA, K_ARG_DATA, K_LBA, K_BLOCKS, K_BS,
	K_COUNT, K_DURATION, K_QD, K_BATCH, K_THREADS, K_FUZZ, K_SQE_SCRIBBLE, K_ARG_SCRIBBLE,
	K_EXPECT,
	K__COUNT
};

/* Every key, once. scenarios/README.md documents them in this order. */
static const struct key keys[K__COUNT] = {
	/* [global] only */
	[K_DESCRIPTION] = { "description", T_STRING, SC(description) },
	[K_MODULE] = { "module", T_CUSTOM, SC(module), .set = set_module },
	[K_MODULE_PARAMS] = { "module_params", T_STRING, SC(module_params) },
	[K_MIN_KERNEL] = { "min_kernel", T_CUSTOM, SC(min_kernel_major), .set = set_min_kernel },
	[K_BACKEND] = { "backend", T_CUSTOM, SC(backend), .set = set_backend },
	[K_STALL_TIMEOUT] = { "stall_timeout", T_DURATION, SC(stall_timeout_ns), .min = 1 },
	/* [global] or a job: device and ring */
	[K_DEVICE] = { "device", T_CUSTOM, JOB(device), .set = set_device },
	[K_ENTRIES] = { "entries", T_U32, JOB(ring.entries), .min = 1, .max = SUBMIT_QD_MAX,
			.def = SCENARIO_DEF_ENTRIES, .refuse = not_power_of_two },
	[K_SQE128] = { "sqe128", T_BOOL, JOB(ring.sqe128) },
	[K_CQE32] = { "cqe32", T_BOOL, JOB(ring.cqe32) },
	[K_SQPOLL] = { "sqpoll", T_BOOL, JOB(ring.sqpoll) },
	[K_IOPOLL] = { "iopoll", T_BOOL, JOB(ring.iopoll) },
	[K_HYBRID_IOPOLL] = { "hybrid_iopoll", T_BOOL, JOB(ring.hybrid_iopoll) },
	[K_SQE_ASYNC] = { "sqe_async", T_BOOL, JOB(ring.sqe_async) },
	[K_SINGLE_ISSUER] = { "single_issuer", T_BOOL, JOB(ring.single_issuer) },
	[K_DEFER_TASKRUN] = { "defer_taskrun", T_BOOL, JOB(ring.defer_taskrun) },
	[K_FIXED_BUFFERS] = { "fixed_buffers", T_BOOL, JOB(ring.fixed_buffers) },
	/* the command */
	[K_CMD] = { "cmd", T_CUSTOM, JOB(cmd), .set = set_cmd, .command = CHOOSES },
	[K_CMD_OP] = { "cmd_op", T_CUSTOM, JOB(cmd), .set = set_cmd_op, .command = CHOOSES },
	[K_NVME] = { "nvme", T_CUSTOM, JOB(cmd), .set = set_nvme, .command = CHOOSES },
	[K_ARG] = { "arg", T_U64, JOB(cmd.arg), .max = UINT64_MAX, .command = DESCRIBES,
		    .kind = SCENARIO_CMD_REF },
	[K_LEN] = { "len", T_SIZE32, JOB(cmd.len), .max = UINT32_MAX, .command = DESCRIBES,
		    .kind = SCENARIO_CMD_REF },
	[K_DATA] = { "data", T_CUSTOM, JOB(cmd), .set = set_data, .command = DESCRIBES,
		     .kind = SCENARIO_CMD_RAW },
	/* the argument the runner makes for a 'cmd' with 'len' and no 'arg' (check_argument()) */
	[K_ARG_DATA] = { "arg_data", T_CUSTOM, JOB(cmd), .set = set_arg_data,
			 .command = DESCRIBES, .kind = SCENARIO_CMD_REF },
	[K_LBA] = { "lba", T_U64, JOB(cmd.lba), .max = UINT64_MAX, .command = DESCRIBES,
		    .kind = SCENARIO_CMD_NVME },
	/* an NVMe command moves at most 65536 blocks: its block count is a 16-bit field, 0-based */
	[K_BLOCKS] = { "blocks", T_U32, JOB(cmd.blocks), .min = 1, .max = 65536,
		       .command = DESCRIBES, .kind = SCENARIO_CMD_NVME },
	[K_BS] = { "bs", T_SIZE32, JOB(cmd.bs), .min = 512, .max = 1u << 30,
		   .refuse = not_sector_multiple, .command = DESCRIBES, .kind = SCENARIO_CMD_NVME },
	/* the load */
	[K_COUNT] = { "count", T_U64, JOB(load.count), .min = 1, .max = UINT64_MAX },
	[K_DURATION] = { "duration", T_DURATION, JOB(load.duration_ns), .min = 1 },
	[K_QD] = { "qd", T_U32, JOB(load.qd), .min = 1, .max = SUBMIT_QD_MAX,
		   .def = SCENARIO_DEF_QD },
	[K_BATCH] = { "batch", T_U32, JOB(load.batch), .min = 1, .max = SUBMIT_QD_MAX,
		      .def = SCENARIO_DEF_BATCH },
	[K_THREADS] = { "threads", T_U32, JOB(load.threads), .min = 1, .max = SUBMIT_THREADS_MAX,
			.def = SCENARIO_DEF_THREADS },
	[K_FUZZ] = { "fuzz", T_CUSTOM, JOB(load), .set = set_fuzz },
	[K_SQE_SCRIBBLE] = { "sqe_scribble", T_CUSTOM, JOB(load.sqe_scribble),
			     .set = set_sqe_scribble },
	[K_ARG_SCRIBBLE] = { "arg_scribble", T_CUSTOM, JOB(load.arg_scribble),
			     .set = set_arg_scribble },
	/* repeatable */
	[K_EXPECT] = { "expect", T_EXPECT },
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

/* what each kind of command is called where a key does not apply to it */
static const char *const kind_keys[] = {
	[SCENARIO_CMD_REF] = "'cmd' (reference-driver) commands; for 'cmd_op' put the bytes in "
			     "'data'",
	[SCENARIO_CMD_RAW] = "'cmd_op' commands",
	[SCENARIO_CMD_NVME] = "'nvme' commands",
};

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
	return closest_name(name, names, K__COUNT);
}

/* ---- values -------------------------------------------------------------------------------- */

static const char *not_power_of_two(uint64_t v)
{
	return v & (v - 1) ? "must be a power of two (1, 2, 4 ... 32768)" : NULL;
}

static const char *not_sector_multiple(uint64_t v)
{
	return v % 512 ? "must be a multiple of 512 bytes" : NULL;
}

/* parses v as key k says and stores it into base (a scenario or a job); 0, or -1 with why */
static int store(const struct key *k, void *base, const char *v, char *why)
{
	char *field = (char *)base + k->offset, clause[PARSE_WHY_MAX];
	const char *refused;
	uint64_t n = 0;
	int ret = 0;

	switch (k->type) {
	case T_STRING:
		if (strlen(v) >= k->size) {
			say(why, WHY_MAX, "'%s' is too long (at most %zu characters)", k->name, k->size - 1);
			return -1;
		}
		strcpy(field, v);
		return 0;
	case T_BOOL:
		ret = parse_bool(v, (bool *)field, clause, sizeof(clause));
		break;
	case T_U32:
	case T_U64:
		ret = parse_u64(v, k->min, k->max, &n, clause, sizeof(clause));
		break;
	case T_SIZE32:
		ret = parse_size(v, k->min, k->max, &n, clause, sizeof(clause));
		break;
	case T_DURATION:
		ret = parse_duration(v, PARSE_SECONDS, k->min, (uint64_t *)field, clause,
				     sizeof(clause));
		break;
	case T_CUSTOM:
		return k->set(base, v, why);
	case T_EXPECT:
		return 0;
	}
	if (ret) {
		say(why, WHY_MAX, "'%s' %s", k->name, clause);
		return -1;
	}
	if (k->type == T_U32 || k->type == T_U64 || k->type == T_SIZE32) {
		refused = k->refuse ? k->refuse(n) : NULL;
		if (refused) {
			say(why, WHY_MAX, "'%s' %s, got '%s'", k->name, refused, v);
			return -1;
		}
		if (k->type == T_U64)
			*(uint64_t *)field = n;
		else
			*(uint32_t *)field = (uint32_t)n;
	}
	return 0;
}

static int set_module(void *base, const char *v, char *why)
{
	struct scenario *sc = base;

	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			say(why, WHY_MAX, "'module' must be a module name like ioucmd_ref, got '%s'", v);
			return -1;
		}
	}
	return store(&(struct key){ "module", T_STRING, .size = sizeof(sc->module),
				    .offset = offsetof(struct scenario, module) }, sc, v, why);
}

/* "6.12": digits, a dot, digits, nothing else */
static int set_min_kernel(void *base, const char *v, char *why)
{
	struct scenario *sc = base;
	unsigned long major, minor;
	char *end;

	if (isdigit((unsigned char)*v)) {
		major = strtoul(v, &end, 10);
		if (*end == '.' && isdigit((unsigned char)end[1])) {
			minor = strtoul(end + 1, &end, 10);
			if (!*end && major >= 1 && major < 1000 && minor < 1000) {
				sc->min_kernel_major = (unsigned int)major;
				sc->min_kernel_minor = (unsigned int)minor;
				return 0;
			}
		}
	}
	say(why, WHY_MAX, "'min_kernel' must be MAJOR.MINOR, e.g. 6.12, got '%s'", v);
	return -1;
}

static int set_backend(void *base, const char *v, char *why)
{
	struct scenario *sc = base;
	char list[64];

	if (tracer_backend_by_name(v, &sc->backend))
		return 0;
	tracer_backend_list(list, sizeof(list), "|");
	say(why, WHY_MAX, "'backend' must be one of %s, got '%s'", list, v);
	return -1;
}

static int set_device(void *base, const char *v, char *why)
{
	struct scenario_job *job = base;

	/* socket:udp / socket:tcp: the runner makes a socket for socket uring_cmds */
	if (v[0] != '/' && strcmp(v, "socket:udp") && strcmp(v, "socket:tcp")) {
		say(why, WHY_MAX, "'device' must be an absolute path like %s, or socket:udp / socket:tcp, "
		    "got '%s'", IOUCMD_REF_DEVPATH, v);
		return -1;
	}
	return store(&(struct key){ "device", T_STRING, .size = sizeof(job->device),
				    .offset = offsetof(struct scenario_job, device) }, job, v, why);
}

/* `cmd = NAME`: a reference-driver command, by any spelling of the cmd_op table's */
static int set_cmd(void *base, const char *v, char *why)
{
	struct scenario_cmd *c = &((struct scenario_job *)base)->cmd;
	const char *names[IOUCMD_REF_NR_SPACE], *guess;
	uint32_t op;
	char list[512];
	size_t n = 0;
	int nr = cmd_op_by_name(v, &op) ? ioucmd_ref_nr_of(op) : -1;

	if (nr >= 0) {
		c->kind = SCENARIO_CMD_REF;
		c->cmd_op = op;
		snprintf(c->name, sizeof(c->name), "%s", ioucmd_ref_cmd_names[nr]);
		return 0;
	}
	for (int i = 0; i < IOUCMD_REF_NR_SPACE; i++)
		if (ioucmd_ref_cmd_names[i])
			names[n++] = ioucmd_ref_cmd_names[i];
	guess = closest_name(v, names, n);
	ioucmd_ref_name_list(list, sizeof(list));
	if (guess)
		say(why, WHY_MAX, "unknown command '%s'; did you mean '%s'? (the reference driver's commands: "
		    "%s; for other drivers use 'cmd_op')", v, guess, list);
	else
		say(why, WHY_MAX, "unknown command '%s' (the reference driver's commands: %s; for other "
		    "drivers use 'cmd_op')", v, list);
	return -1;
}

/* `cmd_op = N` or a cmd_op's name, as the command line's -c takes it */
static int set_cmd_op(void *base, const char *v, char *why)
{
	struct scenario_cmd *c = &((struct scenario_job *)base)->cmd;
	char clause[PARSE_WHY_MAX];

	if (parse_cmd_op(v, &c->cmd_op, clause, sizeof(clause))) {
		say(why, WHY_MAX, "'cmd_op' %s", clause);
		return -1;
	}
	c->kind = SCENARIO_CMD_RAW;
	c->name[0] = '\0';
	return 0;
}

static const char *const nvme_names[] = {
	[SCENARIO_NVME_READ] = "read", [SCENARIO_NVME_WRITE] = "write",
	[SCENARIO_NVME_IDENTIFY] = "identify",
};

static int set_nvme(void *base, const char *v, char *why)
{
	struct scenario_cmd *c = &((struct scenario_job *)base)->cmd;

	for (size_t op = 0; op < ARRAY_SIZE(nvme_names); op++) {
		if (strcasecmp(v, nvme_names[op]))
			continue;
		c->kind = SCENARIO_CMD_NVME;
		c->nvme = (enum scenario_nvme_op)op;
		c->cmd_op = c->nvme == SCENARIO_NVME_IDENTIFY ? NVME_URING_CMD_ADMIN :
				       NVME_URING_CMD_IO;
		snprintf(c->name, sizeof(c->name), "%s", nvme_names[op]);
		return 0;
	}
	say(why, WHY_MAX, "'nvme' must be one of read|write|identify, got '%s'", v);
	return -1;
}

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' :
	       isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* one word of hex digits ("de", "0xdeadbeef") appended to the n bytes of key at out */
static int hex_word(const char *key, const char *w, size_t len, uint8_t *out, uint32_t *n,
		    char *why)
{
	if (len > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		w += 2;
		len -= 2;
	}
	if (len % 2) {
		say(why, WHY_MAX, "'%s': odd number of hex digits in '%.*s'; write whole bytes, e.g. "
		    "'0a'", key, (int)len, w);
		return -1;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(w[i]), lo = hex_digit(w[i + 1]);

		if (hi < 0 || lo < 0) {
			say(why, WHY_MAX, "'%s': '%.*s' is not a hex byte; write bytes like 'de ad be "
			    "ef'", key, 2, w + i);
			return -1;
		}
		if (*n == SCENARIO_DATA_SQE128) {
			say(why, WHY_MAX, "'%s' has more than %d bytes, the most a 128-byte SQE carries",
			    key, SCENARIO_DATA_SQE128);
			return -1;
		}
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * hex bytes, in words separated by spaces, ':' or ',': "de ad be ef", "de:ad", "0xdeadbeef";
 * at most SCENARIO_DATA_SQE128 of them, into out
 */
static int hex_bytes(const char *key, const char *v, uint8_t *out, uint32_t *n, char *why)
{
	const char *p = v;

	*n = 0;
	memset(out, 0, SCENARIO_DATA_SQE128);
	while (*p) {
		size_t len = strcspn(p, " \t:,");

		if (len && hex_word(key, p, len, out, n, why))
			return -1;
		p += len;
		p += strspn(p, " \t:,");
	}
	if (!*n) {
		say(why, WHY_MAX, "'%s' has no bytes", key);
		return -1;
	}
	return 0;
}

static int set_data(void *base, const char *v, char *why)
{
	struct scenario_cmd *c = &((struct scenario_job *)base)->cmd;

	return hex_bytes("data", v, c->data, &c->data_len, why);
}

static int set_arg_data(void *base, const char *v, char *why)
{
	struct scenario_cmd *c = &((struct scenario_job *)base)->cmd;

	return hex_bytes("arg_data", v, c->arg_data, &c->arg_data_len, why);
}

static int parse_scribble_mode(const char *key, const char *v, enum scribble_mode *m, char *why)
{
	for (int i = 0; i < SCRIBBLE__COUNT; i++) {
		if (!strcasecmp(v, scribble_mode_names[i])) {
			*m = (enum scribble_mode)i;
			return 0;
		}
	}
	say(why, WHY_MAX, "'%s' must be one of %s|%s|%s, got '%s'", key,
	    scribble_mode_names[SCRIBBLE_OFF], scribble_mode_names[SCRIBBLE_AFTER_SUBMIT],
	    scribble_mode_names[SCRIBBLE_RACING], v);
	return -1;
}

static int set_sqe_scribble(void *base, const char *v, char *why)
{
	return parse_scribble_mode("sqe_scribble", v, &((struct scenario_job *)base)->load.sqe_scribble,
			     why);
}

static int set_arg_scribble(void *base, const char *v, char *why)
{
	return parse_scribble_mode("arg_scribble", v, &((struct scenario_job *)base)->load.arg_scribble,
			     why);
}

static int set_fuzz(void *base, const char *v, char *why)
{
	struct scenario_load *l = &((struct scenario_job *)base)->load;

	l->fuzz = true;
	return store(&(struct key){ "fuzz", T_U64, .max = UINT64_MAX,
				    .offset = offsetof(struct scenario_load, fuzz_seed) }, l, v, why);
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
};

struct parser {
	const char *path;
	int lines;			/* how many the text has */
	struct section *sections;
	size_t nr_sections;
	int cur;			/* index of the current section; -1 before the first */
	struct scenario *sc;
	int err_line;			/* the first error, 0 if none */
	char err[WHY_MAX];
};

static int fail(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* records the first error (later ones are its consequences); returns -1 */
static int fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return -1;
	p->err_line = line > 0 ? line : 1;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return -1;
}

static struct section *global_section(struct parser *p)
{
	for (size_t i = 0; i < p->nr_sections; i++)
		if (p->sections[i].global)
			return &p->sections[i];
	return NULL;
}

static int count_jobs(struct parser *p)
{
	int n = 0;

	for (size_t i = 0; i < p->nr_sections; i++)
		n += !p->sections[i].global;
	return n;
}

/* ---- the lexer's callbacks: sections and keys ---------------------------------------------- */

static bool valid_section_name(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

static int on_section(void *user, int line, const char *name, size_t n)
{
	struct parser *p = user;
	struct section *sec;

	if (!valid_section_name(name, n) || n >= SCENARIO_NAME_MAX)
		return fail(p, line, "bad section name '[%.*s]': use 1 to %d letters, digits, '_', "
			    "'-' or '.'", n > 40 ? 40 : (int)n, name, SCENARIO_NAME_MAX - 1);
	for (size_t i = 0; i < p->nr_sections; i++)
		if (strlen(p->sections[i].name) == n && !strncmp(p->sections[i].name, name, n))
			return fail(p, line, "duplicate section [%s] (first on line %d)",
				    p->sections[i].name, p->sections[i].line);
	if (strncmp(name, "global", n) && count_jobs(p) >= SCENARIO_MAX_JOBS)
		return fail(p, line, "too many jobs (at most %d)", SCENARIO_MAX_JOBS);
	sec = realloc(p->sections, (p->nr_sections + 1) * sizeof(*sec));
	if (!sec)
		return fail(p, line, "out of memory");
	p->sections = sec;
	sec = &p->sections[p->nr_sections];
	memset(sec, 0, sizeof(*sec));
	memcpy(sec->name, name, n);
	sec->line = line;
	sec->global = !strcmp(sec->name, "global");
	p->cur = (int)p->nr_sections++;
	return 0;
}

static int add_expect(struct parser *p, int line, struct section *sec, const char *value)
{
	char why[WHY_MAX - 16];
	struct expect e, *grown;

	if (expect_parse(value, &e, why, sizeof(why)))
		return fail(p, line, "expect: %s", why);
	if (sec->nr_expects == SCENARIO_MAX_EXPECTS)
		return fail(p, line, "too many 'expect' lines in [%s] (at most %d)", sec->name,
			    SCENARIO_MAX_EXPECTS);
	grown = realloc(sec->expects, (sec->nr_expects + 1) * sizeof(*grown));
	if (!grown)
		return fail(p, line, "out of memory");
	e.line = line;
	sec->expects = grown;
	sec->expects[sec->nr_expects++] = e;
	return 0;
}

/* a value without one pair of surrounding double quotes, which strings may have */
static char *unquote(const char *value)
{
	size_t n = strlen(value);

	if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
		return strndup(value + 1, n - 2);
	return strdup(value);
}

/* stores value into a scratch scenario or job, to check it: jobs are built once all is read */
static int check_value(struct parser *p, int line, enum key_id id, const char *value)
{
	struct scenario sc_scratch = { 0 };
	struct scenario_job job_scratch = { 0 };
	char why[WHY_MAX];

	if (!*value)
		return fail(p, line, "'%s' has no value", keys[id].name);
	if (store(&keys[id], keys[id].global_only ? (void *)&sc_scratch : (void *)&job_scratch,
		  value, why))
		return fail(p, line, "%s", why);
	return 0;
}

static int on_key(void *user, int line, const char *name, const char *value)
{
	struct parser *p = user;
	struct section *sec;
	enum key_id id = key_by_name(name);
	const char *guess;
	char *v;

	if (p->cur < 0)
		return fail(p, line, "key '%s' is outside any section: put it under [global] or a "
			    "job's [name]", name);
	sec = &p->sections[p->cur];
	if (!*name)
		return fail(p, line, "missing key name before '='");
	if (id == K__COUNT) {
		guess = suggest_key(name);
		if (guess)
			return fail(p, line, "unknown key '%s' in [%s]; did you mean '%s'?", name,
				    sec->name, guess);
		return fail(p, line, "unknown key '%s' in [%s] (see scenarios/README.md for the keys)",
			    name, sec->name);
	}
	if (keys[id].global_only && !sec->global)
		return fail(p, line, "'%s' is only allowed in [global], not in [%s]", name, sec->name);
	if (keys[id].type == T_EXPECT)
		return add_expect(p, line, sec, value);
	if (sec->key_line[id])
		return fail(p, line, "duplicate key '%s' in [%s] (first set on line %d)", name,
			    sec->name, sec->key_line[id]);
	v = unquote(value);
	if (!v)
		return fail(p, line, "out of memory");
	if (check_value(p, line, id, v)) {
		free(v);
		return -1;
	}
	/* [global]'s own settings are stored now; a job's wait for inheritance */
	if (keys[id].global_only) {
		char why[WHY_MAX];

		store(&keys[id], p->sc, v, why);
	}
	sec->raw[id] = v;
	sec->key_line[id] = line;
	return 0;
}

/* ---- building and checking jobs ------------------------------------------------------------ */

/* the section a job takes key id from, or NULL for the default */
static const struct section *source_of(const struct section *g, const struct section *j,
				       enum key_id id)
{
	bool own_command = j->key_line[K_CMD] || j->key_line[K_CMD_OP] || j->key_line[K_NVME];

	if (j->key_line[id])
		return j;
	if (!g || !g->key_line[id] || (keys[id].command != NOT_COMMAND && own_command))
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

static void build_job(struct parser *p, const struct section *g, const struct section *j,
		      struct scenario_job *job)
{
	char why[WHY_MAX];

	memset(job, 0, sizeof(*job));
	snprintf(job->name, sizeof(job->name), "%s", j->name);
	job->line = j->line;
	for (int id = 0; id < K__COUNT; id++) {
		const struct key *k = &keys[id];
		const struct section *src;

		if (k->global_only || k->type == T_EXPECT)
			continue;
		if (k->def)
			*(uint32_t *)((char *)job + k->offset) = (uint32_t)k->def;
		src = source_of(g, j, (enum key_id)id);
		/* every value was checked when it was read, so this cannot fail */
		if (src && store(k, job, src->raw[id], why))
			fail(p, src->key_line[id], "%s", why);
	}
	if (job->cmd.kind == SCENARIO_CMD_NVME && !job->cmd.blocks && !job->cmd.bs &&
	    job->cmd.nvme != SCENARIO_NVME_IDENTIFY)
		job->cmd.blocks = SCENARIO_DEF_BLOCKS;
}

/* two keys that choose the command in one section */
static int check_one_command(struct parser *p, const struct section *sec)
{
	int first = -1;

	for (int id = 0; id < K__COUNT; id++) {
		if (keys[id].command != CHOOSES || !sec->key_line[id])
			continue;
		if (first < 0) {
			first = id;
			continue;
		}
		return fail(p, max_line(sec->key_line[id], sec->key_line[first]),
			    "'%s' and '%s' both choose the command of [%s]; keep one",
			    keys[first].name, keys[id].name, sec->name);
	}
	return 0;
}

static int check_required(struct parser *p, const struct scenario_job *job)
{
	if (!job->device[0])
		return fail(p, job->line, "[%s] has no 'device': set it there or in [global] (e.g. "
			    "device = %s)", job->name, IOUCMD_REF_DEVPATH);
	if (!job->cmd.kind)
		return fail(p, job->line, "[%s] has no command: set 'cmd' (a reference-driver "
			    "command), 'cmd_op' (any driver) or 'nvme' there or in [global]",
			    job->name);
	if (!job->load.count && !job->load.duration_ns)
		return fail(p, job->line, "[%s] has neither 'count' nor 'duration': say how many "
			    "commands to run or for how long", job->name);
	return 0;
}

/* a key set for a job whose command does not use it */
static int check_applies(struct parser *p, const struct section *g, const struct section *j,
			 const struct scenario_job *job)
{
	for (int id = 0; id < K__COUNT; id++) {
		const struct key *k = &keys[id];
		int line = key_line(g, j, (enum key_id)id);

		if (k->command != DESCRIBES || !line)
			continue;
		if (job->cmd.kind != k->kind)
			return fail(p, line, "'%s' only applies to %s (in [%s])", k->name,
				    kind_keys[k->kind], job->name);
		if (job->cmd.kind == SCENARIO_CMD_NVME && job->cmd.nvme == SCENARIO_NVME_IDENTIFY)
			return fail(p, line, "'%s' does not apply to 'nvme = identify' (in [%s])",
				    k->name, job->name);
	}
	if (key_line(g, j, K_BLOCKS) && key_line(g, j, K_BS))
		return fail(p, max_line(key_line(g, j, K_BLOCKS), key_line(g, j, K_BS)),
			    "'blocks' and 'bs' both give the size of [%s]'s commands; keep one",
			    job->name);
	return 0;
}

/*
 * arg_data and arg_scribble are about the argument the runner makes for a 'cmd': a buffer of
 * 'len' bytes whose address becomes 'arg'
 */
static int check_argument(struct parser *p, const struct section *g, const struct section *j,
			  const struct scenario_job *job)
{
	static const enum key_id ids[] = { K_ARG_DATA, K_ARG_SCRIBBLE };
	const struct scenario_load *l = &job->load;

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		int line = key_line(g, j, ids[i]);

		if (!line)
			continue;
		if (job->cmd.kind != SCENARIO_CMD_REF)
			return fail(p, line, "'%s' only applies to 'cmd' (reference-driver) commands "
				    "with 'len' and no 'arg', whose argument the runner makes (in "
				    "[%s])", keys[ids[i]].name, job->name);
		if (!job->cmd.len || job->cmd.arg)
			return fail(p, line, "'%s' is about the argument the runner makes, a buffer of "
				    "'len' bytes whose address becomes 'arg': [%s] has %s",
				    keys[ids[i]].name, job->name,
				    job->cmd.arg ? "an 'arg' of its own" : "no 'len'");
	}
	if (job->cmd.arg_data_len > job->cmd.len)
		return fail(p, key_line(g, j, K_ARG_DATA), "'arg_data' has %u bytes, more than 'len' "
			    "= %u (in [%s])", job->cmd.arg_data_len, job->cmd.len, job->name);
	if (l->sqe_scribble && l->arg_scribble && l->sqe_scribble != l->arg_scribble)
		return fail(p, max_line(key_line(g, j, K_SQE_SCRIBBLE),
					key_line(g, j, K_ARG_SCRIBBLE)),
			    "'sqe_scribble = %s' and 'arg_scribble = %s': one scribbler does both, so "
			    "give them the same mode (or one 'off') (in [%s])",
			    scribble_mode_names[l->sqe_scribble],
			    scribble_mode_names[l->arg_scribble], job->name);
	return 0;
}

/* what the kernel would refuse (io_uring_setup) or the SQE cannot hold */
static int check_ring(struct parser *p, const struct section *g, const struct section *j,
		      const struct scenario_job *job)
{
	const struct scenario_ring *r = &job->ring;

	if (job->cmd.data_len > SCENARIO_DATA_SQE64 && !r->sqe128)
		return fail(p, key_line(g, j, K_DATA), "'data' has %u bytes but a 64-byte SQE "
			    "carries %d: set 'sqe128 = 1' for up to %d (in [%s])", job->cmd.data_len,
			    SCENARIO_DATA_SQE64, SCENARIO_DATA_SQE128, job->name);
	if (r->defer_taskrun && !r->single_issuer)
		return fail(p, key_line(g, j, K_DEFER_TASKRUN), "'defer_taskrun = 1' needs "
			    "'single_issuer = 1': io_uring_setup() refuses it otherwise (in [%s])",
			    job->name);
	if (r->hybrid_iopoll && !r->iopoll)
		return fail(p, key_line(g, j, K_HYBRID_IOPOLL), "'hybrid_iopoll = 1' needs "
			    "'iopoll = 1': io_uring_setup() refuses it otherwise (in [%s])", job->name);
	if (r->defer_taskrun && r->sqpoll)
		return fail(p, max_line(key_line(g, j, K_DEFER_TASKRUN), key_line(g, j, K_SQPOLL)),
			    "'defer_taskrun' and 'sqpoll' cannot be combined: io_uring_setup() "
			    "refuses it (in [%s])", job->name);
	return 0;
}

static int check_load(struct parser *p, const struct section *g, const struct section *j,
		      const struct scenario_job *job)
{
	const struct scenario_load *l = &job->load;

	if (l->qd > job->ring.entries)
		return fail(p, max_line(key_line(g, j, K_QD), key_line(g, j, K_ENTRIES)),
			    "'qd' = %u is more than the ring's 'entries' = %u (in [%s])", l->qd,
			    job->ring.entries, job->name);
	if (l->batch > l->qd)
		return fail(p, max_line(key_line(g, j, K_BATCH), key_line(g, j, K_QD)),
			    "'batch' = %u is more than 'qd' = %u (in [%s])", l->batch, l->qd,
			    job->name);
	return 0;
}

/* expectations on res2 need big CQEs, which carry it */
static int check_expects_cqe32(struct parser *p, const struct expect *e, size_t n,
			       const struct scenario_job *job)
{
	for (size_t i = 0; i < n; i++)
		if (expect_field_needs_cqe32(e[i].field) && !job->ring.cqe32)
			return fail(p, e[i].line, "expectation on '%s' needs 'cqe32 = 1' (only 32-byte "
				    "CQEs carry res2), but [%s] has cqe32 = 0", e[i].field, job->name);
	return 0;
}

static int check_job(struct parser *p, const struct section *g, const struct section *j,
		     const struct scenario_job *job)
{
	if (check_one_command(p, j) || check_required(p, job) || check_applies(p, g, j, job) ||
	    check_argument(p, g, j, job) || check_ring(p, g, j, job) || check_load(p, g, j, job) ||
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
	if (g->key_line[K_MODULE_PARAMS] && !g->key_line[K_MODULE])
		return fail(p, g->key_line[K_MODULE_PARAMS], "'module_params' without 'module': say "
			    "which module they are for");
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
	if (!nr)
		return fail(p, p->lines, "%s: add a job section such as [job1] with a 'device', a "
			    "'cmd' and a 'count' or 'duration'", p->lines ? "no jobs" :
			    "the file is empty");
	sc->jobs = calloc((size_t)nr, sizeof(*sc->jobs));
	if (!sc->jobs)
		return fail(p, 1, "out of memory");
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

static void parser_cleanup(struct parser *p)
{
	for (size_t i = 0; i < p->nr_sections; i++) {
		for (int id = 0; id < K__COUNT; id++)
			free(p->sections[i].raw[id]);
		free(p->sections[i].expects);
	}
	free(p->sections);
}

/* how many lines text has: the last one counts without its newline */
static int count_lines(const char *text, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len && text[len - 1] != '\n');
}

/* parses text (len bytes, which the scenario keeps as its source: freed on error) */
static int parse(const char *path, char *text, size_t len, struct scenario **out, char *err,
		 size_t errlen)
{
	static const struct ini_lex_ops ops = { on_section, on_key };
	struct parser p = { .path = path, .cur = -1 };
	int lex_line = 0;
	char lex_err[WHY_MAX];

	*out = NULL;
	p.sc = calloc(1, sizeof(*p.sc));
	if (!p.sc) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(text);
		return -1;
	}
	p.sc->source = text;
	p.lines = count_lines(text, len);
	if (ini_lex(text, len, &ops, &p, &lex_line, lex_err, sizeof(lex_err)) && lex_line)
		fail(&p, lex_line, "%s", lex_err);
	if (!p.err_line)
		build_jobs(&p);
	if (!p.err_line) {
		p.sc->path = strdup(path);
		if (!p.sc->path)
			fail(&p, 1, "out of memory");
	}
	parser_cleanup(&p);
	if (p.err_line) {
		snprintf(err, errlen, "%s:%d: %s", path, p.err_line, p.err);
		scenario_free(p.sc);
		return -1;
	}
	*out = p.sc;
	return 0;
}

int scenario_load(const char *path, struct scenario **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t len;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(FILE_MAX + 1);
	len = text ? fread(text, 1, FILE_MAX + 1, f) : 0;
	if (!text || ferror(f) || len > FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, !text ? "out of memory" :
			 ferror(f) ? strerror(errno) : "larger than 1 MiB: not a scenario file");
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[len] = '\0';
	return parse(path, text, len, out, err, errlen);
}

int scenario_parse_string(const char *name, const char *text, struct scenario **out,
			  char *err, size_t errlen)
{
	char *copy = strdup(text);

	*out = NULL;
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return parse(name, copy, strlen(copy), out, err, errlen);
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

const char *scenario_nvme_op_name(enum scenario_nvme_op op)
{
	return (unsigned int)op < ARRAY_SIZE(nvme_names) ? nvme_names[op] : "?";
}
