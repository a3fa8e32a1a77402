// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench, the bpftrace column: Debian's bpftrace running the latency histogram people
 * write by hand, attached while a row's workload runs.
 *   fentry kernels: kfunc/kretfunc on the handler with a map keyed by tid (time in the
 *                   handler), and for async rows a map keyed by the command from the handler's
 *                   kfunc to kfunc on io_uring_cmd_done (issue to done);
 *   otherwise:      tracepoint io_uring_submit_req to io_uring_complete, keyed by the request.
 * bpftrace takes seconds to start: the workload begins after its BEGIN probe printed, which
 * bpftrace fires once every probe is attached.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bench.h"
#include "cli.h"
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
		   bool async, struct watch *w, char *err, size_t errlen)
{
	char prog[1024], line[256];
	int pipefd[2];
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
	watch_beat(w, "starting bpftrace");
	b->resends = 0;
	b->pid = fork();
	if (b->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (!b->pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never left attached behind the bench */
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("bpftrace", "bpftrace", "-e", prog, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	b->out = pipefd[0];
	b->text[0] = '\0';
	/* the watchdog bounds the wait: bpftrace compiles its script first, seconds under TCG */
	for (;;) {
		struct pollfd pfd = { .fd = b->out, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		n = read(b->out, line, sizeof(line) - 1);
		if (n <= 0)
			break;	/* bpftrace exited */
		if (used + (size_t)n < sizeof(b->text)) {
			memcpy(b->text + used, line, (size_t)n);
			used += (size_t)n;
			b->text[used] = '\0';
		}
		watch_beat(w, "starting bpftrace");
		if (strstr(b->text, "ready\n"))
			return 0;
	}
	snprintf(err, errlen, "bpftrace did not attach: %.300s", b->text);
	kill(b->pid, SIGKILL);
	waitpid(b->pid, NULL, 0);
	close(b->out);
	return -EIO;
}

/* the system call the process's main thread sleeps in, or -1 (running, or not in one) */
static long sleeping_in(pid_t pid)
{
	char path[64], buf[64];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr;
}

static bool in_epoll_wait(pid_t pid)
{
	long nr = sleeping_in(pid);

#ifdef SYS_epoll_wait
	if (nr == SYS_epoll_wait)
		return true;
#endif
	return nr == SYS_epoll_pwait;
}

/*
 * Debian 12's bpftrace (0.17) loses a SIGINT that lands while its main thread is outside
 * epoll_wait(): the handler sets a flag the poll loop reads only on EINTR, so it polls on for
 * good (fixed in 0.19). Until it goes, SIGINT is sent again whenever it sleeps in epoll_wait()
 * a second after the last one: that is its poll loop, where a SIGINT is what it waits for, or
 * its final drain, where one is harmless; never its post-processing, where SIGINT would kill it
 * before it prints the histogram.
 */
#define BPFTRACE_RESEND_NS	1000000000ull
#define BPFTRACE_RESENDS_MAX	30

int bpftrace_stop(struct bpftrace_run *b, struct watch *w, char *err, size_t errlen)
{
	size_t used = strlen(b->text);
	uint64_t signalled;
	int status = 0;

	watch_beat(w, "stopping bpftrace");
	kill(b->pid, SIGINT);
	signalled = now_ns();
	for (;;) {
		struct pollfd pfd = { .fd = b->out, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) > 0) {
			n = read(b->out, b->text + used, sizeof(b->text) - 1 - used);
			if (n <= 0)
				break;	/* it exited */
			used += (size_t)n;
			b->text[used] = '\0';
			watch_beat(w, "stopping bpftrace: it prints its maps");
			if (used >= sizeof(b->text) - 1)
				used = strlen(b->text);	/* full: keep reading to its end, dropping */
			continue;
		}
		if (now_ns() - signalled < BPFTRACE_RESEND_NS || !in_epoll_wait(b->pid))
			continue;
		if (b->resends == BPFTRACE_RESENDS_MAX) {
			snprintf(err, errlen, "bpftrace did not stop after %u SIGINTs", b->resends + 1);
			kill(b->pid, SIGKILL);
			waitpid(b->pid, NULL, 0);
			close(b->out);
			return -EIO;
		}
		kill(b->pid, SIGINT);
		b->resends++;
		cli_err("bpftrace missed its SIGINT (still polling after %.0f s): sent again",
			(now_ns() - signalled) / 1e9);
		signalled = now_ns();
	}
	close(b->out);
	waitpid(b->pid, &status, 0);
	/* it printed its histogram: the measurement is real */
	if (!strstr(b->text, "@handler") && !strstr(b->text, "@lat")) {
		snprintf(err, errlen, "bpftrace printed no histogram: %.300s", b->text);
		return -EIO;
	}
	return 0;
}
