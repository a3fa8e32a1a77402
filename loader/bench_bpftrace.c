// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd bench, the bpftrace column: Debian's bpftrace running the latency histogram people
 * write by hand, attached while a row's workload runs.
 *   fentry kernels: kfunc/kretfunc on the handler with a map keyed by tid (time in the
 *                   handler), and for async rows a map keyed by the command from the handler's
 *                   kfunc to kfunc on io_uring_cmd_done (issue to done);
 *   otherwise:      tracepoint io_uring_submit_req to io_uring_complete, keyed by the request.
 * bpftrace takes seconds to start: it is started once per measurement and the workload begins
 * after its BEGIN probe printed, which bpftrace fires once every probe is attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bench.h"
#include "clock.h"

bool bpftrace_available(char *why, size_t len)
{
	if (!system("command -v bpftrace >/dev/null 2>&1"))
		return true;
	snprintf(why, len, "bpftrace is not installed (make bench installs Debian's)");
	return false;
}

/* the script for one row; module: the handler's module, or NULL for vmlinux */
static void script(char *buf, size_t len, bool fentry, const char *handler, const char *module,
		   bool async)
{
	char probe[160];

	if (!fentry) {
		/* 46: IORING_OP_URING_CMD */
		snprintf(buf, len,
			 "BEGIN { printf(\"ready\\n\"); }\n"
			 "tracepoint:io_uring:io_uring_submit_req /args->opcode == 46/ "
			 "{ @start[args->req] = nsecs; }\n"
			 "tracepoint:io_uring:io_uring_complete /@start[args->req]/ "
			 "{ @lat = hist(nsecs - @start[args->req]); delete(@start[args->req]); }\n");
		return;
	}
	snprintf(probe, sizeof(probe), "%s%s%s", module ? module : "", module ? ":" : "", handler);
	snprintf(buf, len,
		 "BEGIN { printf(\"ready\\n\"); }\n"
		 "kfunc:%s { @start[tid] = nsecs;%s }\n"
		 "kretfunc:%s /@start[tid]/ { @handler = hist(nsecs - @start[tid]); "
		 "delete(@start[tid]); }\n"
		 "%s",
		 probe, async ? " @issue[args->ioucmd] = nsecs;" : "", probe,
		 async ? "kfunc:io_uring_cmd_done /@issue[args->ioucmd]/ "
			 "{ @issue_done = hist(nsecs - @issue[args->ioucmd]); "
			 "delete(@issue[args->ioucmd]); }\n" : "");
}

int bpftrace_start(struct bpftrace_run *b, bool fentry, const char *handler, const char *module,
		   bool async, char *err, size_t errlen)
{
	char prog[1024], line[256];
	int pipefd[2];
	uint64_t deadline;
	size_t used = 0;
	struct stat st;

	/* bpftrace's tracepoints need tracefs, which a bare machine may not have mounted */
	if (!fentry && stat("/sys/kernel/tracing/events", &st))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	script(prog, sizeof(prog), fentry, handler, module, async);
	if (pipe(pipefd)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	b->pid = fork();
	if (b->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (!b->pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("bpftrace", "bpftrace", "-e", prog, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	b->out = pipefd[0];
	b->text[0] = '\0';
	fcntl(b->out, F_SETFL, O_NONBLOCK);
	deadline = now_ns() + 120ull * 1000000000ull;
	while (now_ns() < deadline) {
		ssize_t n = read(b->out, line, sizeof(line) - 1);

		if (n > 0 && used + (size_t)n < sizeof(b->text)) {
			memcpy(b->text + used, line, (size_t)n);
			used += (size_t)n;
			b->text[used] = '\0';
			if (strstr(b->text, "ready\n"))
				return 0;
		} else if (n == 0) {
			break;	/* bpftrace exited */
		} else {
			struct timespec ts = { 0, 20000000 };

			nanosleep(&ts, NULL);
		}
	}
	snprintf(err, errlen, "bpftrace did not attach: %.300s", b->text);
	kill(b->pid, SIGKILL);
	waitpid(b->pid, NULL, 0);
	close(b->out);
	return -EIO;
}

int bpftrace_stop(struct bpftrace_run *b, char *err, size_t errlen)
{
	size_t used = strlen(b->text);
	int status = 0;
	ssize_t n;

	kill(b->pid, SIGINT);
	fcntl(b->out, F_SETFL, 0);
	while ((n = read(b->out, b->text + used, sizeof(b->text) - 1 - used)) > 0) {
		used += (size_t)n;
		if (used >= sizeof(b->text) - 1)
			break;
	}
	b->text[used] = '\0';
	close(b->out);
	waitpid(b->pid, &status, 0);
	/* it printed its histogram: the measurement is real */
	if (!strstr(b->text, "@handler") && !strstr(b->text, "@lat")) {
		snprintf(err, errlen, "bpftrace printed no histogram: %.300s", b->text);
		return -EIO;
	}
	return 0;
}
