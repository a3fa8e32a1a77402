// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host unit tests of the scenario parser (lib/scenario.c) and the expectation language
 * (lib/expect.c): the good scenarios parse to exactly what they say, every malformed one in
 * bad-scenarios/ is refused with the error its first line announces
 * ("; expect-error: LINE: TEXT"), and every operator and unit of `expect` works.
 *
 * Usage: test_scenario [DIR]   (DIR holds good-scenarios/ and bad-scenarios/; tests/host)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <linux/nvme_ioctl.h>
#include <linux/ublk_cmd.h>
#include <ioucmd/ioucmd_ref.h>
#include "expect.h"
#include "names.h"
#include "parse.h"
#include "scenario.h"
#include "ktap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *dir = "tests/host";

/* what a failed parse must overwrite with NULL */
static struct scenario sentinel;

/* a failed check prints what and where as a KTAP diagnostic, and fails the test point */
#define CHECK(cond)	check(!!(cond), #cond, __LINE__, &ok)
#define CHECK_STR(a, b)	check_str((a), (b), #a, __LINE__, &ok)
#define CHECK_NUM(a, b)	check_num((unsigned long long)(a), (unsigned long long)(b), #a, __LINE__, &ok)

static void check(int cond, const char *what, int line, int *ok)
{
	if (!cond) {
		printf("# line %d: %s is false\n", line, what);
		*ok = 0;
	}
}

static void check_str(const char *a, const char *b, const char *what, int line, int *ok)
{
	if (strcmp(a, b)) {
		printf("# line %d: %s is '%s', expected '%s'\n", line, what, a, b);
		*ok = 0;
	}
}

static void check_num(unsigned long long a, unsigned long long b, const char *what, int line,
		      int *ok)
{
	if (a != b) {
		printf("# line %d: %s is %llu (%#llx), expected %llu (%#llx)\n", line, what, a, a, b,
		       b);
		*ok = 0;
	}
}

static struct scenario *load_good(const char *name)
{
	char path[512], err[SCENARIO_ERR_MAX];
	struct scenario *sc;

	snprintf(path, sizeof(path), "%s/good-scenarios/%s", dir, name);
	if (scenario_load(path, &sc, err, sizeof(err))) {
		printf("# %s\n", err);
		return NULL;
	}
	return sc;
}

static const struct scenario_job *job_named(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->nr_jobs; i++)
		if (!strcmp(sc->jobs[i].name, name))
			return &sc->jobs[i];
	printf("# no job [%s]\n", name);
	return NULL;
}

/* parses text that must be accepted */
static struct scenario *parse_ok(const char *text)
{
	char err[SCENARIO_ERR_MAX];
	struct scenario *sc;

	if (scenario_parse_string("inline.ini", text, &sc, err, sizeof(err))) {
		printf("# unexpected error: %s\n", err);
		return NULL;
	}
	return sc;
}

/* parses text that must be refused with an error containing want; no scenario may come back */
static int parse_fails(const char *text, const char *want)
{
	char err[SCENARIO_ERR_MAX];
	struct scenario *sc = &sentinel;	/* must be reset to NULL */

	if (!scenario_parse_string("inline.ini", text, &sc, err, sizeof(err))) {
		printf("# accepted, but should fail with '%s'\n", want);
		scenario_free(sc);
		return 0;
	}
	if (sc) {
		printf("# a scenario came back with the error '%s'\n", err);
		return 0;
	}
	if (!strstr(err, want)) {
		printf("# error '%s' does not contain '%s'\n", err, want);
		return 0;
	}
	return 1;
}

/* ---- the full scenario --------------------------------------------------------------------- */

static struct scenario *full;

static int test_full_global(void)
{
	int ok = 1;

	full = load_good("01-every-key.ini");
	if (!full)
		return 0;
	CHECK_STR(full->description, "Every key: the parser's reference scenario");
	CHECK_STR(full->module, "ioucmd_ref");
	CHECK_STR(full->module_params, "delay_ns=1000 verbose=1");
	CHECK_NUM(full->min_kernel_major, 6);
	CHECK_NUM(full->min_kernel_minor, 12);
	CHECK_NUM(full->backend, TRACER_FENTRY);
	CHECK_STR(tracer_backend_name(full->backend), "fentry");
	CHECK_NUM(full->stall_timeout_ns, 1500000000ull);
	CHECK_NUM(full->nr_jobs, 5);
	CHECK(strstr(full->path, "01-every-key.ini"));
	CHECK(!strncmp(full->source, "; Sets every key", 16));
	CHECK(strstr(full->source, "expect = cqe_errors == 0\n"));
	return ok;
}

static int test_full_global_expects(void)
{
	int ok = 1;

	if (!full)
		return 0;
	CHECK_NUM(full->nr_expects, 2);
	if (full->nr_expects != 2)
		return 0;
	CHECK_STR(full->expects[0].field, "violations");
	CHECK_NUM(full->expects[0].op, EXPECT_EQ);
	CHECK(full->expects[0].value == 0);
	CHECK_NUM(full->expects[0].line, 24);
	CHECK_STR(full->expects[1].field, "latency.p99");
	CHECK_NUM(full->expects[1].op, EXPECT_LT);
	CHECK_NUM(full->expects[1].kind, EXPECT_TIME);
	CHECK(full->expects[1].value == 2e6);
	CHECK_STR(full->expects[1].value_text, "2ms");
	CHECK_NUM(full->expects[1].line, 25);
	return ok;
}

static int test_full_inherit(void)
{
	const struct scenario_job *j;
	int ok = 1;

	if (!full || !(j = job_named(full, "inherit")))
		return 0;
	CHECK_NUM(j->line, 28);
	CHECK_STR(j->device, "/dev/ioucmd-ref");
	CHECK_NUM(j->ring.entries, 256);
	CHECK(j->ring.sqe128 && j->ring.cqe32 && j->ring.single_issuer && j->ring.defer_taskrun);
	CHECK(!j->ring.sqpoll && !j->ring.iopoll && !j->ring.fixed_buffers);
	CHECK_NUM(j->cmd.kind, SCENARIO_CMD_REF);
	CHECK_STR(j->cmd.name, "NOP_TW");
	CHECK_NUM(j->cmd.cmd_op, IOUCMD_REF_NOP_TW);
	CHECK_NUM(j->cmd.arg, 42);
	CHECK_NUM(j->cmd.len, 4096);
	CHECK_NUM(j->cmd.data_len, 0);
	CHECK_NUM(j->load.count, 10000);
	CHECK_NUM(j->load.duration_ns, 500000000ull);
	CHECK_NUM(j->load.qd, 16);
	CHECK_NUM(j->load.batch, 4);
	CHECK_NUM(j->load.threads, 2);
	CHECK_NUM(j->nr_expects, 1);
	if (j->nr_expects == 1) {
		CHECK_STR(j->expects[0].field, "completed");
		CHECK(j->expects[0].value == 10000);
		CHECK_NUM(j->expects[0].line, 30);
	}
	return ok;
}

static int test_full_override(void)
{
	const struct scenario_job *j;
	int ok = 1;

	if (!full || !(j = job_named(full, "override")))
		return 0;
	CHECK_STR(j->device, "/dev/ioucmd-ref");
	CHECK_NUM(j->ring.entries, 8);
	CHECK(!j->ring.sqe128 && !j->ring.cqe32 && !j->ring.defer_taskrun);
	CHECK(j->ring.single_issuer);
	CHECK_NUM(j->cmd.kind, SCENARIO_CMD_REF);
	CHECK_STR(j->cmd.name, "STATS");
	CHECK_NUM(j->cmd.cmd_op, IOUCMD_REF_STATS);
	CHECK_NUM(j->cmd.arg, 1234);
	/* a job naming its own command inherits none of [global]'s command keys */
	CHECK_NUM(j->cmd.len, 0);
	CHECK_NUM(j->load.qd, 8);
	CHECK_NUM(j->load.batch, 8);
	CHECK_NUM(j->load.threads, 2);
	CHECK_NUM(j->load.count, 0);
	CHECK_NUM(j->load.duration_ns, 250000);
	CHECK_NUM(j->nr_expects, 2);
	if (j->nr_expects == 2) {
		CHECK_STR(j->expects[0].field, "res.min");
		CHECK_NUM(j->expects[0].op, EXPECT_GE);
		CHECK_STR(j->expects[1].field, "issued");
		CHECK_NUM(j->expects[1].op, EXPECT_NE);
	}
	return ok;
}

static int test_full_raw(void)
{
	static const uint8_t bytes[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44,
					 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd };
	const struct scenario_job *j;
	uint8_t sqe_cmd[SCENARIO_DATA_SQE128];
	int ok = 1;

	if (!full || !(j = job_named(full, "raw")))
		return 0;
	CHECK(j->ring.sqe128 && j->ring.cqe32);
	CHECK_NUM(j->cmd.kind, SCENARIO_CMD_RAW);
	CHECK_NUM(j->cmd.cmd_op, 0xc010c701u);
	CHECK_STR(j->cmd.name, "");
	CHECK_NUM(j->cmd.arg, 0);
	CHECK_NUM(j->cmd.data_len, sizeof(bytes));
	CHECK(!memcmp(j->cmd.data, bytes, sizeof(bytes)));
	memset(sqe_cmd, 0xff, sizeof(sqe_cmd));
	CHECK_NUM(scenario_cmd_payload(&j->cmd, sqe_cmd, sizeof(sqe_cmd)), sizeof(bytes));
	CHECK(!memcmp(sqe_cmd, bytes, sizeof(bytes)) && !sqe_cmd[sizeof(bytes)] &&
	      !sqe_cmd[sizeof(sqe_cmd) - 1]);
	CHECK_NUM(j->load.count, 1);
	CHECK_NUM(j->nr_expects, 1);
	return ok;
}

static int test_full_nvme(void)
{
	const struct scenario_job *j;
	uint8_t sqe_cmd[16];
	int ok = 1;

	if (!full || !(j = job_named(full, "nvme-read")))
		return 0;
	CHECK_STR(j->device, "/dev/ng0n1");
	CHECK_NUM(j->cmd.kind, SCENARIO_CMD_NVME);
	CHECK_NUM(j->cmd.nvme, SCENARIO_NVME_READ);
	CHECK_STR(j->cmd.name, "read");
	CHECK_STR(scenario_nvme_op_name(j->cmd.nvme), "read");
	CHECK_NUM(j->cmd.cmd_op, NVME_URING_CMD_IO);
	CHECK_NUM(j->cmd.lba, 0x100);
	CHECK_NUM(j->cmd.bs, 128 * 1024);
	CHECK_NUM(j->cmd.blocks, 0);
	CHECK_NUM(j->cmd.arg, 0);
	CHECK_NUM(j->cmd.len, 0);
	CHECK(j->ring.iopoll && j->ring.sqpoll && !j->ring.defer_taskrun && !j->ring.single_issuer);
	CHECK_NUM(j->ring.entries, 256);
	CHECK_NUM(j->load.count, 100);
	CHECK_NUM(j->load.duration_ns, 500000000ull);
	CHECK_NUM(scenario_cmd_payload(&j->cmd, sqe_cmd, sizeof(sqe_cmd)), 0);
	return ok;
}

static int test_full_scribbled(void)
{
	const struct scenario_job *j, *inherit;
	int ok = 1;

	if (!full || !(j = job_named(full, "scribbled")) || !(inherit = job_named(full, "inherit")))
		return 0;
	CHECK_STR(j->cmd.name, "EAGAIN_ARG");
	CHECK_NUM(j->cmd.len, 16);
	CHECK_NUM(j->cmd.arg, 0);
	CHECK_NUM(j->cmd.arg_data_len, 8);
	CHECK(j->cmd.arg_data[0] == 0x2a && !j->cmd.arg_data[1] && !j->cmd.arg_data[8]);
	CHECK_NUM(j->load.sqe_scribble, SCRIBBLE_RACING);
	CHECK_NUM(j->load.arg_scribble, SCRIBBLE_RACING);
	CHECK_STR(scribble_mode_names[j->load.sqe_scribble], "racing");
	CHECK_NUM(inherit->load.sqe_scribble, SCRIBBLE_OFF);
	CHECK_NUM(inherit->cmd.arg_data_len, 0);
	return ok;
}

/* scribbling is a load key (inherited alone); arg_data goes with the command */
static int test_scribble_inheritance(void)
{
	struct scenario *sc = parse_ok("[global]\ndevice = /dev/x\nsqe_scribble = after_submit\n"
				       "cmd = COPY_IN\nlen = 8\narg_data = 01 02\n"
				       "[a]\ncount = 1\n[b]\ncount = 1\ncmd = NOP\n");
	int ok = 1;

	if (!sc)
		return 0;
	CHECK_NUM(sc->jobs[0].load.sqe_scribble, SCRIBBLE_AFTER_SUBMIT);
	CHECK_NUM(sc->jobs[0].cmd.arg_data_len, 2);
	CHECK_NUM(sc->jobs[1].load.sqe_scribble, SCRIBBLE_AFTER_SUBMIT);
	CHECK_NUM(sc->jobs[1].cmd.arg_data_len, 0);
	CHECK_NUM(sc->jobs[1].cmd.len, 0);
	scenario_free(sc);
	return ok;
}

static int test_minimal_defaults(void)
{
	struct scenario *sc = load_good("02-minimal.ini");
	const struct scenario_job *j;
	int ok = 1;

	if (!sc)
		return 0;
	j = &sc->jobs[0];
	CHECK_NUM(sc->nr_jobs, 1);
	CHECK_STR(sc->description, "");
	CHECK_STR(sc->module, "");
	CHECK_NUM(sc->min_kernel_major, 0);
	CHECK_NUM(sc->backend, TRACER_AUTO);
	CHECK_NUM(sc->stall_timeout_ns, 0);
	CHECK_NUM(sc->nr_expects, 0);
	CHECK_STR(j->name, "only");
	CHECK_NUM(j->line, 3);
	CHECK_STR(j->device, "/dev/null");
	CHECK_NUM(j->ring.entries, SCENARIO_DEF_ENTRIES);
	CHECK(!j->ring.sqe128 && !j->ring.cqe32 && !j->ring.sqpoll && !j->ring.iopoll &&
	      !j->ring.single_issuer && !j->ring.defer_taskrun && !j->ring.fixed_buffers);
	CHECK_NUM(j->cmd.kind, SCENARIO_CMD_RAW);
	CHECK_NUM(j->cmd.cmd_op, 0);
	CHECK_NUM(j->load.count, 1);
	CHECK_NUM(j->load.qd, SCENARIO_DEF_QD);
	CHECK_NUM(j->load.batch, SCENARIO_DEF_BATCH);
	CHECK_NUM(j->load.threads, SCENARIO_DEF_THREADS);
	CHECK_NUM(j->nr_expects, 0);
	scenario_free(sc);
	return ok;
}

/* ---- the scenario parser, inline ----------------------------------------------------------- */

#define JOB_HEAD	"[j]\ndevice = /dev/x\ncount = 1\n"

/* every command of the UAPI header's name table, however it is spelled */
static int test_ref_cmd_names(void)
{
	static const char *const forms[] = { "%s", "ioucmd_ref_%s", "  %s  " };
	int ok = 1;

	for (unsigned int nr = 0; nr < IOUCMD_REF_NR_SPACE; nr++) {
		if (!ioucmd_ref_cmd_names[nr])
			continue;
		for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
			char text[256], name[64];
			struct scenario *sc;

			snprintf(name, sizeof(name), forms[f], ioucmd_ref_cmd_names[nr]);
			snprintf(text, sizeof(text), JOB_HEAD "cmd = %s\n", name);
			sc = parse_ok(text);
			CHECK(sc);
			if (!sc)
				continue;
			CHECK_NUM(sc->jobs[0].cmd.cmd_op, IOUCMD_REF_CMD(nr));
			CHECK_STR(sc->jobs[0].cmd.name, ioucmd_ref_cmd_names[nr]);
			scenario_free(sc);
		}
	}
	return ok;
}

static int test_payload_ref_layout(void)
{
	struct scenario *sc = parse_ok(JOB_HEAD "cmd = NOP\narg = 0x1122334455667788\nlen = 2m\n");
	struct ioucmd_ref_cmd c;
	int ok = 1;

	if (!sc)
		return 0;
	CHECK_NUM(scenario_cmd_payload(&sc->jobs[0].cmd, &c, sizeof(c)), sizeof(c));
	CHECK_NUM(c.arg, 0x1122334455667788ull);
	CHECK_NUM(c.len, 2 * 1024 * 1024);
	CHECK_NUM(c.flags, 0);
	scenario_free(sc);
	return ok;
}

static int test_command_inheritance(void)
{
	struct scenario *sc = parse_ok("[global]\ndevice = /dev/x\ncmd = NOP_TW\narg = 7\ncount = 3\n"
				       "[a]\narg = 9\n"
				       "[b]\ncmd_op = 5\ndata = 01\n"
				       "[c]\n");
	int ok = 1;

	if (!sc)
		return 0;
	CHECK_NUM(sc->nr_jobs, 3);
	if (sc->nr_jobs != 3)
		goto out;
	/* [a] keeps [global]'s command and overrides its arg */
	CHECK_NUM(sc->jobs[0].cmd.cmd_op, IOUCMD_REF_NOP_TW);
	CHECK_NUM(sc->jobs[0].cmd.arg, 9);
	/* [b] brings its own command and so takes no arg from [global] */
	CHECK_NUM(sc->jobs[1].cmd.kind, SCENARIO_CMD_RAW);
	CHECK_NUM(sc->jobs[1].cmd.arg, 0);
	/* [c] is empty: everything from [global] */
	CHECK_STR(sc->jobs[2].name, "c");
	CHECK_NUM(sc->jobs[2].cmd.arg, 7);
	CHECK_NUM(sc->jobs[2].load.count, 3);
out:
	scenario_free(sc);
	return ok;
}

static int test_data_sizes(void)
{
	char text[1024], hex[81 * 3 + 1] = "";
	struct scenario *sc;
	int ok = 1;

	for (int i = 0; i < 80; i++)
		strcat(hex, "a5 ");
	snprintf(text, sizeof(text), JOB_HEAD "sqe128 = 1\ncmd_op = 1\ndata = %s\n", hex);
	sc = parse_ok(text);
	CHECK(sc && sc->jobs[0].cmd.data_len == 80 && sc->jobs[0].cmd.data[79] == 0xa5);
	scenario_free(sc);
	snprintf(text, sizeof(text), JOB_HEAD "cmd_op = 1\ndata = 00112233445566778899aabbccddeeff\n");
	sc = parse_ok(text);
	CHECK(sc && sc->jobs[0].cmd.data_len == 16);
	scenario_free(sc);
	strcat(hex, "a5");
	snprintf(text, sizeof(text), JOB_HEAD "sqe128 = 1\ncmd_op = 1\ndata = %s\n", hex);
	CHECK(parse_fails(text, "inline.ini:6: 'data' has more than 80 bytes"));
	return ok;
}

static int test_bool_spellings(void)
{
	static const char *const yes[] = { "1", "true", "TRUE", "yes", "Yes", "on" };
	static const char *const no[] = { "0", "false", "False", "no", "NO", "off" };
	int ok = 1;

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		char text[256];
		struct scenario *sc;

		snprintf(text, sizeof(text), JOB_HEAD "cmd = NOP\nsqpoll = %s\niopoll = %s\n", yes[i],
			 no[i]);
		sc = parse_ok(text);
		CHECK(sc && sc->jobs[0].ring.sqpoll && !sc->jobs[0].ring.iopoll);
		scenario_free(sc);
	}
	return ok;
}

static int test_scenario_durations(void)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} cases[] = {
		{ "1ns", 1 }, { "250us", 250000 }, { "500ms", 500000000 }, { "5s", 5000000000ull },
		{ "1.5s", 1500000000 }, { "0.25ms", 250000 }, { "2 s", 2000000000 },
		{ "1.000000001s", 1000000001 },
		/* no unit: seconds, as on the command line */
		{ "3", 3000000000ull }, { "0.5", 500000000 },
	};
	int ok = 1;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[256];
		struct scenario *sc;

		snprintf(text, sizeof(text), "[global]\nstall_timeout = %s\n[j]\ndevice = /dev/x\n"
			 "cmd = NOP\nduration = %s\n", cases[i].text, cases[i].text);
		sc = parse_ok(text);
		CHECK(sc);
		if (!sc)
			continue;
		CHECK_NUM(sc->jobs[0].load.duration_ns, cases[i].ns);
		CHECK_NUM(sc->stall_timeout_ns, cases[i].ns);
		scenario_free(sc);
	}
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nduration = 1.5ns\n", "not a whole number"));
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nduration = 0s\n", "longer than 0"));
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nduration = 30000000000s\n", "too large"));
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nduration = 3m\n", "unknown unit 'm'"));
	return ok;
}

static int test_scenario_sizes(void)
{
	static const struct {
		const char *text;
		uint32_t bytes;
	} cases[] = {
		{ "512", 512 }, { "4k", 4096 }, { "4K", 4096 }, { "1m", 1 << 20 }, { "1G", 1u << 30 },
		{ "0x1000", 4096 },
	};
	int ok = 1;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[256];
		struct scenario *sc;

		snprintf(text, sizeof(text), JOB_HEAD "cmd = NOP\nlen = %s\n", cases[i].text);
		sc = parse_ok(text);
		CHECK(sc && sc->jobs[0].cmd.len == cases[i].bytes);
		scenario_free(sc);
	}
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nlen = 4g\n", "between 0 and 4294967295"));
	CHECK(parse_fails(JOB_HEAD "cmd = NOP\nlen = 4kb\n", "optional k, m or g suffix"));
	return ok;
}

static int test_error_format(void)
{
	char err[SCENARIO_ERR_MAX];
	struct scenario *sc = &sentinel;
	int ok = 1;

	CHECK(scenario_parse_string("x.ini", "[j]\n\n\nqdepth = 4\n", &sc, err, sizeof(err)) == -1);
	CHECK(sc == NULL);
	CHECK_STR(err, "x.ini:4: unknown key 'qdepth' in [j]; did you mean 'qd'?");
	sc = &sentinel;
	CHECK(scenario_load("/nonexistent/x.ini", &sc, err, sizeof(err)) == -1);
	CHECK(sc == NULL);
	CHECK_STR(err, "/nonexistent/x.ini: cannot open: No such file or directory");
	/* a short buffer gets a truncated, terminated message */
	CHECK(scenario_parse_string("x.ini", "", &sc, err, 8) == -1);
	CHECK_STR(err, "x.ini:1");
	return ok;
}

/* parses in parallel: no state outside the caller's (inih's globals were) */
struct parallel {
	const char *text;
	uint32_t entries;	/* what every parse must give */
	int bad;
};

static void *parse_many(void *arg)
{
	struct parallel *pl = arg;

	for (int i = 0; i < 300; i++) {
		char err[SCENARIO_ERR_MAX];
		struct scenario *sc;

		if (scenario_parse_string("inline.ini", pl->text, &sc, err, sizeof(err)) ||
		    sc->jobs[0].ring.entries != pl->entries || sc->jobs[0].cmd.data_len != 80) {
			if (!pl->bad++)
				printf("# parse %d in a thread: %s\n", i, sc ? "wrong values" : err);
		}
		scenario_free(sc);
	}
	return NULL;
}

static int test_reentrant(void)
{
	/* an indented line and a line of 240 characters in each, which inih's defaults refuse */
	char a[1024], b[1024], hex[241] = "";
	struct parallel p[2] = { { a, 8, 0 }, { b, 16, 0 } };
	pthread_t th[2];
	int ok = 1;

	for (int i = 0; i < 80; i++)
		strcat(hex, "a5 ");
	snprintf(a, sizeof(a), "[j]\n  device = /dev/x\n  count = 1\n  entries = 8\n"
		 "sqe128 = 1\ncmd_op = 1\ndata = %s\n", hex);
	snprintf(b, sizeof(b), "[k]\ndevice = /dev/y\ncount = 2\nentries = 16\n"
		 "sqe128 = 1\ncmd_op = 2\ndata = %s\n", hex);
	for (int i = 0; i < 2; i++)
		CHECK(!pthread_create(&th[i], NULL, parse_many, &p[i]));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_NUM(p[0].bad, 0);
	CHECK_NUM(p[1].bad, 0);
	return ok;
}

/* ---- the spellings the command line shares (tests/host/spellings/, cli_errors.sh) ---------- */

/* each INPUT of a spellings table into text's %s: parse and compare with its verdict */
static int spellings(const char *table, const char *fmt,
		     int (*value_of)(const struct scenario *sc, uint64_t *v))
{
	char path[512], line[256];
	FILE *f;
	int ok = 1, n = 0;

	snprintf(path, sizeof(path), "%s/spellings/%s", dir, table);
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: cannot open\n", path);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), text[512], err[SCENARIO_ERR_MAX];
		struct scenario *sc;
		uint64_t want = 0, got = 0;
		bool refused;

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		tab[strcspn(tab + 1, "\n") + 1] = '\0';
		refused = !strcmp(tab + 1, "refused");
		if (!refused)
			want = strtoull(tab + 1, NULL, 0);
		snprintf(text, sizeof(text), fmt, line);
		n++;
		if (scenario_parse_string("inline.ini", text, &sc, err, sizeof(err))) {
			if (!refused) {
				printf("# %s: '%s' refused (%s), the table says %s\n", table, line, err,
				       tab + 1);
				ok = 0;
			}
			continue;
		}
		if (refused || value_of(sc, &got) || got != want) {
			printf("# %s: '%s' gave %llu, the table says %s\n", table, line,
			       (unsigned long long)got, tab + 1);
			ok = 0;
		}
		scenario_free(sc);
	}
	fclose(f);
	if (n < 10) {
		printf("# %s: only %d spellings\n", table, n);
		ok = 0;
	}
	return ok;
}

static int stall_timeout_of(const struct scenario *sc, uint64_t *v)
{
	*v = sc->stall_timeout_ns;
	return 0;
}

static int cmd_op_of(const struct scenario *sc, uint64_t *v)
{
	*v = sc->jobs[0].cmd.cmd_op;
	return sc->jobs[0].cmd.kind != SCENARIO_CMD_RAW;
}

static int test_spelled_durations(void)
{
	return spellings("durations.txt", "[global]\nstall_timeout = %s\n" JOB_HEAD "cmd = NOP\n",
			 stall_timeout_of);
}

static int test_spelled_cmd_ops(void)
{
	return spellings("cmd_ops.txt", JOB_HEAD "cmd_op = %s\n", cmd_op_of);
}

static int test_socket_devices(void)
{
	struct scenario *sc = parse_ok("[global]\ncmd_op = 0\ncount = 1\n"
				       "[udp]\ndevice = socket:udp\n[tcp]\ndevice = socket:tcp\n");
	int ok = 1;

	CHECK(sc && sc->nr_jobs == 2);
	if (sc && sc->nr_jobs == 2) {
		CHECK_STR(sc->jobs[0].device, "socket:udp");
		CHECK_STR(sc->jobs[1].device, "socket:tcp");
	}
	scenario_free(sc);
	CHECK(parse_fails("[j]\ndevice = socket:sctp\ncmd_op = 0\ncount = 1\n",
			  "inline.ini:2: 'device' must be an absolute path"));
	return ok;
}

static int test_cmd_op_str(void)
{
	char buf[48];
	uint32_t op = 0;
	int ok = 1;

	CHECK_STR(cmd_op_str(IOUCMD_REF_CMD(IOUCMD_REF_NR_NOP_TW), buf, sizeof(buf)), "NOP_TW");
	CHECK_STR(cmd_op_str(NVME_URING_CMD_IO, buf, sizeof(buf)), "NVME_URING_CMD_IO");
	CHECK_STR(cmd_op_str(NVME_URING_CMD_ADMIN_VEC, buf, sizeof(buf)), "NVME_URING_CMD_ADMIN_VEC");
	CHECK_STR(cmd_op_str(UBLK_U_IO_COMMIT_AND_FETCH_REQ, buf, sizeof(buf)),
		  "UBLK_U_IO_COMMIT_AND_FETCH_REQ");
	CHECK_STR(cmd_op_str(UBLK_U_CMD_START_DEV, buf, sizeof(buf)), "UBLK_U_CMD_START_DEV");
	CHECK_STR(cmd_op_str(UBLK_U_CMD_GET_DEV_INFO, buf, sizeof(buf)), "UBLK_U_CMD_GET_DEV_INFO");
	CHECK_STR(cmd_op_str(UBLK_U_CMD_GET_FEATURES, buf, sizeof(buf)), "UBLK_U_CMD_GET_FEATURES");
	/* a number no table knows: its _IOC parts, or hex when it is no ioctl number */
	CHECK_STR(cmd_op_str(_IOWR('Z', 0x7, uint64_t), buf, sizeof(buf)), "_IOWR('Z', 0x7, 8)");
	CHECK_STR(cmd_op_str(_IO(0x12, 0), buf, sizeof(buf)), "BLOCK_URING_CMD_DISCARD");
	CHECK_STR(cmd_op_str(_IO('Z', 0x9), buf, sizeof(buf)), "0x5a09");
	CHECK_STR(cmd_op_str(_IOR('T', 0x1, int), buf, sizeof(buf)), "_IOR('T', 0x1, 4)");
	CHECK_STR(cmd_op_str(0, buf, sizeof(buf)), "0x0");
	CHECK_STR(cmd_op_str(3, buf, sizeof(buf)), "0x3");
	/* and the names read back: what a report prints, -c takes */
	CHECK(cmd_op_by_name("NVME_URING_CMD_IO", &op) && op == NVME_URING_CMD_IO);
	CHECK(cmd_op_by_name("ublk_u_io_fetch_req", &op) && op == UBLK_U_IO_FETCH_REQ);
	return ok;
}

static int test_layout_tolerance(void)
{
	/* BOM, CRLF line ends, indentation, ':' separators, comments of both kinds, no final \n */
	struct scenario *sc = parse_ok("\xef\xbb\xbf; comment\r\n# another\r\n  [j]  ; trailing\r\n"
				       "\tdevice: /dev/x\r\n  cmd = NOP ; inline\r\ncount=1");
	int ok = 1;

	CHECK(sc);
	if (sc) {
		CHECK_STR(sc->jobs[0].device, "/dev/x");
		CHECK_NUM(sc->jobs[0].cmd.cmd_op, IOUCMD_REF_NOP);
		CHECK_NUM(sc->jobs[0].load.count, 1);
		CHECK_NUM(sc->jobs[0].line, 3);
	}
	scenario_free(sc);
	return ok;
}

/* ---- the expectation language -------------------------------------------------------------- */

struct fake_report {
	const char *field;
	double value;
};

static int fake_lookup(void *ctx, const char *field, double *out)
{
	for (const struct fake_report *r = ctx; r->field; r++) {
		if (!strcmp(r->field, field)) {
			*out = r->value;
			return 1;
		}
	}
	return 0;
}

static const struct fake_report report[] = {
	{ "violations", 0 }, { "completed", 10000 }, { "latency.p99", 3.1e6 },
	{ "latency.p50", 750 }, { "latency.max", 2e9 }, { "res.min", -22 }, { "cqes", 42 },
	{ NULL, 0 },
};

/* "FIELD OP VALUE" against the fake report must give want; why must contain sentence */
static int eval_is(const char *text, enum expect_result want, const char *sentence)
{
	char err[256], why[256];
	struct expect e;
	enum expect_result got;

	if (expect_parse(text, &e, err, sizeof(err))) {
		printf("# '%s': %s\n", text, err);
		return 0;
	}
	got = expect_eval(&e, fake_lookup, (void *)report, why, sizeof(why));
	if (got != want || (sentence && strcmp(why, sentence))) {
		printf("# '%s' gave %d '%s', expected %d '%s'\n", text, got, why, want,
		       sentence ? sentence : "");
		return 0;
	}
	return 1;
}

static int parse_error_is(const char *text, const char *want)
{
	char err[256];
	struct expect e;

	if (!expect_parse(text, &e, err, sizeof(err))) {
		printf("# '%s' parsed, but should fail with '%s'\n", text, want);
		return 0;
	}
	if (!strstr(err, want)) {
		printf("# '%s': error '%s' does not contain '%s'\n", text, err, want);
		return 0;
	}
	return 1;
}

static int test_op_eq(void)
{
	return eval_is("completed == 10000", EXPECT_PASS, "completed = 10000, as expected (== 10000)") &
	       eval_is("completed == 9999", EXPECT_FAIL, "completed = 10000, expected == 9999") &
	       eval_is("violations==0", EXPECT_PASS, NULL);
}

static int test_op_ne(void)
{
	return eval_is("completed != 0", EXPECT_PASS, NULL) &
	       eval_is("violations != 0", EXPECT_FAIL, "violations = 0, expected != 0");
}

static int test_op_lt(void)
{
	return eval_is("cqes < 43", EXPECT_PASS, NULL) & eval_is("cqes < 42", EXPECT_FAIL, NULL) &
	       eval_is("latency.p99 < 2ms", EXPECT_FAIL, "latency.p99 = 3.1ms, expected < 2ms");
}

static int test_op_le(void)
{
	return eval_is("cqes <= 42", EXPECT_PASS, NULL) & eval_is("cqes<=41", EXPECT_FAIL, NULL);
}

static int test_op_gt(void)
{
	return eval_is("cqes > 41", EXPECT_PASS, NULL) & eval_is("cqes > 42", EXPECT_FAIL, NULL) &
	       eval_is("res.min > -23", EXPECT_PASS, NULL);
}

static int test_op_ge(void)
{
	return eval_is("cqes >= 42", EXPECT_PASS, "cqes = 42, as expected (>= 42)") &
	       eval_is("cqes >= 43", EXPECT_FAIL, NULL);
}

static int test_unit_ns(void)
{
	return eval_is("latency.p50 == 750ns", EXPECT_PASS, "latency.p50 = 750ns, as expected (== 750ns)") &
	       eval_is("latency.p50 < 750ns", EXPECT_FAIL, NULL);
}

static int test_unit_us(void)
{
	return eval_is("latency.p50 < 1us", EXPECT_PASS, NULL) &
	       eval_is("latency.p50 >= 0.75us", EXPECT_PASS, NULL) &
	       eval_is("latency.p99 <= 3100us", EXPECT_PASS, NULL) &
	       eval_is("latency.p99 < 3100us", EXPECT_FAIL, NULL);
}

static int test_unit_ms(void)
{
	return eval_is("latency.p99 <= 3.1ms", EXPECT_PASS, NULL) &
	       eval_is("latency.p99 > 3.2ms", EXPECT_FAIL, "latency.p99 = 3.1ms, expected > 3.2ms");
}

static int test_unit_s(void)
{
	return eval_is("latency.max == 2s", EXPECT_PASS, "latency.max = 2s, as expected (== 2s)") &
	       eval_is("latency.max < 1.5s", EXPECT_FAIL, NULL);
}

static int test_count_values(void)
{
	return eval_is("cqes == 0x2a", EXPECT_PASS, NULL) &
	       eval_is("res.min == -22", EXPECT_PASS, NULL) &
	       eval_is("res.min == -EINVAL", EXPECT_PASS, "res.min = -22, as expected (== -EINVAL)") &
	       eval_is("cqes < 42.5", EXPECT_PASS, NULL) &
	       eval_is("cqes > +41", EXPECT_PASS, NULL);
}

static int test_unknown_at_eval(void)
{
	return eval_is("driver.completed == 1", EXPECT_UNKNOWN_FIELD,
		       "the report has no field 'driver.completed'");
}

static int test_expect_parse_errors(void)
{
	return parse_error_is("latncy.p99 < 2ms", "unknown field 'latncy.p99'; did you mean 'latency.p99'?") &
	       parse_error_is("violations.double_completions >= 1", "did you mean 'violations.double_completion'?") &
	       parse_error_is("frobnications == 1", "unknown field 'frobnications' (the fields") &
	       parse_error_is("violations = 0", "use '==' to compare 'violations', not '='") &
	       parse_error_is("violations ~ 0", "expected an operator (== != < <= > >=) after 'violations', got '~ 0'") &
	       parse_error_is("violations", "expected an operator") &
	       parse_error_is("violations ==", "missing value after 'violations =='") &
	       parse_error_is("== 0", "expected 'FIELD OP VALUE'") &
	       parse_error_is("completed == 5ms", "'5ms' is a time, but this field is a count") &
	       parse_error_is("completed == lots", "'completed' expects a number (decimal, a fraction, 0x hex or an errno name such as -EINVAL), got 'lots'") &
	       parse_error_is("completed == 1 2", "got '1 2'") &
	       parse_error_is("completed == inf", "expects a number") &
	       parse_error_is("completed == 0xg", "expects a number") &
	       parse_error_is("res.min == -ENOTANERRNO", "expects an errno name such as -EINVAL, got '-ENOTANERRNO'") &
	       parse_error_is("latency.p99 < 2", "'latency.p99' is a time: give '2' a unit") &
	       parse_error_is("latency.p99 < 2 parsecs", "unknown unit 'parsecs'") &
	       parse_error_is("latency.p99 < fast", "'latency.p99' expects a duration (a number with ns, us, ms or s");
}

static int test_field_list(void)
{
	static const char *const rules[] = {
		"double_completion", "completion_after_sync_return", "completion_after_eagain",
		"issue_flags_mismatch", "res2_dropped", "stalled_command", "cancel_not_completed",
		"cancelable_not_queued",
	};
	static const char *const counts[] = {
		"violations", "completed", "issued", "queued", "cqes", "cqe_errors", "untracked",
		"driver.completed", "res2.max",
	};
	static const char *const times[] = {
		"latency.p50", "latency.p90", "latency.p99", "latency.p999", "latency.max",
	};
	enum expect_kind kind;
	int ok = 1;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		char f[64];

		snprintf(f, sizeof(f), "violations.%s", rules[i]);
		CHECK(expect_field_kind(f, &kind) && kind == EXPECT_COUNT);
	}
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		CHECK(expect_field_kind(counts[i], &kind) && kind == EXPECT_COUNT);
	for (size_t i = 0; i < ARRAY_SIZE(times); i++)
		CHECK(expect_field_kind(times[i], &kind) && kind == EXPECT_TIME);
	CHECK(!expect_field_kind("latency", NULL) && !expect_field_kind("", NULL));
	CHECK(expect_field_needs_cqe32("res2.min") && !expect_field_needs_cqe32("res.min"));
	CHECK(!expect_field_needs_cqe32("violations.res2_dropped"));
	CHECK(expect_nr_fields() > 30 && expect_field_name(expect_nr_fields()) == NULL);
	for (size_t i = 0; i < expect_nr_fields(); i++)
		CHECK(expect_field_kind(expect_field_name(i), NULL));
	return ok;
}

static int test_expect_format(void)
{
	char err[128], buf[128];
	struct expect e;
	int ok = 1;

	CHECK(!expect_parse("  latency.p99<2ms  ", &e, err, sizeof(err)));
	expect_format(&e, buf, sizeof(buf));
	CHECK_STR(buf, "latency.p99 < 2ms");
	format_duration(1500, buf, sizeof(buf));
	CHECK_STR(buf, "1.5us");
	format_duration(999, buf, sizeof(buf));
	CHECK_STR(buf, "999ns");
	format_duration(90e9, buf, sizeof(buf));
	CHECK_STR(buf, "90s");
	for (int op = EXPECT_EQ; op <= EXPECT_GE; op++)
		CHECK(strlen(expect_op_str((enum expect_op)op)) >= 1);
	return ok;
}

/* ---- the malformed scenarios --------------------------------------------------------------- */

/* "; expect-error: 7: unknown key 'qdepth'" → 7 and "unknown key 'qdepth'" */
static int read_expected_error(const char *path, int *line, char *text, size_t len)
{
	char first[512];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(first, sizeof(first), f) ||
	    sscanf(first, "; expect-error: %d: %n", line, &n) != 1 || !n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	first[strcspn(first, "\r\n")] = '\0';
	snprintf(text, len, "%s", first + n);
	return 0;
}

static int test_bad_file(const char *name)
{
	char path[512], want_text[512], prefix[600], err[SCENARIO_ERR_MAX];
	struct scenario *sc = &sentinel;
	int want_line;

	snprintf(path, sizeof(path), "%s/bad-scenarios/%s", dir, name);
	if (read_expected_error(path, &want_line, want_text, sizeof(want_text))) {
		printf("# %s: its first line must be '; expect-error: LINE: TEXT'\n", path);
		return 0;
	}
	if (!scenario_load(path, &sc, err, sizeof(err))) {
		printf("# %s was accepted\n", path);
		scenario_free(sc);
		return 0;
	}
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, want_line);
	if (sc || strncmp(err, prefix, strlen(prefix)) || !strstr(err, want_text)) {
		printf("# got:      %s\n# expected: %s...%s...%s\n", err, prefix, want_text,
		       sc ? " (and no scenario)" : "");
		return 0;
	}
	printf("# %s\n", err);
	return 1;
}

static int is_ini(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".ini");
}

/* ---- main ---------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "full scenario: [global]-only settings and source", test_full_global },
	{ "full scenario: [global] expectations", test_full_global_expects },
	{ "full scenario: a job inherits ring, device, command and load", test_full_inherit },
	{ "full scenario: a job overrides ring, command and load", test_full_override },
	{ "full scenario: raw cmd_op with 18 data bytes on a 128-byte SQE", test_full_raw },
	{ "full scenario: NVMe read", test_full_nvme },
	{ "full scenario: SQE and argument scribbling", test_full_scribbled },
	{ "scribble modes are inherited alone, arg_data with the command", test_scribble_inheritance },
	{ "minimal scenario: defaults", test_minimal_defaults },
	{ "every reference command name from the X-macro", test_ref_cmd_names },
	{ "command payload: struct ioucmd_ref_cmd", test_payload_ref_layout },
	{ "command keys are inherited as a whole", test_command_inheritance },
	{ "data: 16 bytes, 80 bytes with sqe128, not 81", test_data_sizes },
	{ "booleans: every spelling", test_bool_spellings },
	{ "durations: ns, us, ms, s, fractions, seconds without a unit", test_scenario_durations },
	{ "sizes: k, m, g and hex", test_scenario_sizes },
	{ "errors: FILE:LINE: message, no partial scenario", test_error_format },
	{ "parses run in parallel (reentrant)", test_reentrant },
	{ "durations: the command line's spellings and verdicts", test_spelled_durations },
	{ "cmd_op: the command line's spellings and verdicts", test_spelled_cmd_ops },
	{ "devices: socket:udp and socket:tcp", test_socket_devices },
	{ "layout: BOM, CRLF, indentation, comments", test_layout_tolerance },
	{ "cmd_op names: the reference driver, NVMe, ublk, _IOC parts, hex", test_cmd_op_str },
	{ "expect: ==", test_op_eq },
	{ "expect: !=", test_op_ne },
	{ "expect: <", test_op_lt },
	{ "expect: <=", test_op_le },
	{ "expect: >", test_op_gt },
	{ "expect: >=", test_op_ge },
	{ "expect: unit ns", test_unit_ns },
	{ "expect: unit us", test_unit_us },
	{ "expect: unit ms", test_unit_ms },
	{ "expect: unit s", test_unit_s },
	{ "expect: count values (hex, negative, errno, fraction)", test_count_values },
	{ "expect: a field the report lacks", test_unknown_at_eval },
	{ "expect: malformed expectations", test_expect_parse_errors },
	{ "expect: the field list", test_field_list },
	{ "expect: formatting", test_expect_format },
};

int main(int argc, char **argv)
{
	struct dirent **bad = NULL;
	char bad_dir[512];
	int nr_bad;

	if (argc > 1)
		dir = argv[1];
	snprintf(bad_dir, sizeof(bad_dir), "%s/bad-scenarios", dir);
	nr_bad = scandir(bad_dir, &bad, is_ini, alphasort);
	if (nr_bad < 0) {
		perror(bad_dir);
		nr_bad = 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_plan((int)ARRAY_SIZE(tests) + 1 + nr_bad);
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		ktap_result(tests[i].fn(), tests[i].name);
	scenario_free(full);
	ktap_result(nr_bad >= 20, "at least 20 malformed scenarios in bad-scenarios/");
	for (int i = 0; i < nr_bad; i++) {
		char name[300];

		snprintf(name, sizeof(name), "malformed: %s", bad[i]->d_name);
		ktap_result(test_bad_file(bad[i]->d_name), name);
		free(bad[i]);
	}
	free(bad);
	return ktap_finish();
}
