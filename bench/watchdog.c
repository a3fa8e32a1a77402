// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ioucmd-bench's watchdog: every measurement runs in a child process of its own, in a process
 * group of its own (bpftrace and fio, which it starts, go with it), and reports progress through
 * a struct watch in shared memory: CQEs reaped (the submitter stores its count there as it reaps)
 * and a beat at each phase. A child that shows no progress for the quiet time is killed with its
 * whole group and the measurement fails with the phase it was in; the bench goes on.
 *
 * A child rather than a thread: a command that never completes leaves its submitter asleep in
 * io_uring_enter() for good, and only the end of the process takes the ring, the BPF links and
 * bpftrace away.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "bench.h"
#include "clock.h"

#define WATCH_PERIOD_NS		50000000ull	/* how often the bench looks */
#define WATCH_REAP_NS		10000000000ull	/* how long a killed child may take to go */

/* the child being watched: a bench stopped by a signal takes its whole group along */
static volatile pid_t watched;

static void on_stop_signal(int sig)
{
	if (watched > 0)
		kill(-watched, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_stop_signals(void)
{
	static bool done;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	if (done)
		return;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_stop_signal);
	done = true;
}

void *shared_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void shared_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void watch_beat(struct watch *w, const char *phase)
{
	if (phase)
		snprintf(w->phase, sizeof(w->phase), "%s", phase);
	__atomic_add_fetch(&w->beats, 1, __ATOMIC_RELAXED);
}

static uint64_t progress(const struct watch *w)
{
	return __atomic_load_n(&w->beats, __ATOMIC_RELAXED) +
	       __atomic_load_n(&w->cqes, __ATOMIC_RELAXED);
}

static void nap(void)
{
	struct timespec ts = { 0, WATCH_PERIOD_NS };

	nanosleep(&ts, NULL);
}

/* kills the child's group; true once it is reaped */
static bool kill_group(pid_t pid)
{
	uint64_t until = now_ns() + WATCH_REAP_NS;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (now_ns() < until) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		nap();
	}
	return false;
}

int watchdog_run(int (*fn)(void *arg, struct watch *w), void *arg, uint64_t quiet_ns,
		 char *err, size_t errlen)
{
	struct watch *w = shared_alloc(sizeof(*w));
	uint64_t last, last_ns;
	int status = 0, ret;
	pid_t pid, parent;

	if (!w) {
		snprintf(err, errlen, "cannot share memory with a child: %s", strerror(errno));
		return -ENOMEM;
	}
	catch_stop_signals();
	memset(w, 0, sizeof(*w));
	snprintf(w->phase, sizeof(w->phase), "starting");
	fflush(stdout);
	fflush(stderr);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		shared_free(w, sizeof(*w));
		return ret;
	}
	if (!pid) {
		/* the child goes with the bench, however the bench goes */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		setpgid(0, 0);
		w->ret = fn(arg, w);
		watch_beat(w, "exiting");
		fflush(stdout);
		fflush(stderr);
		_exit(w->ret ? 1 : 0);
	}
	setpgid(pid, pid);	/* both sides: whichever runs first */
	watched = pid;
	last = progress(w);
	last_ns = now_ns();
	for (;;) {
		uint64_t cur, now;
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		cur = progress(w);
		now = now_ns();
		if (cur != last) {
			last = cur;
			last_ns = now;
		} else if (now - last_ns > quiet_ns) {
			bool gone = kill_group(pid);

			snprintf(err, errlen, "no progress for %.0f s while %s: killed%s",
				 quiet_ns / 1e9, w->phase,
				 gone ? "" : ", and it did not go (stuck in the kernel: what it attached "
					     "may still be attached)");
			watched = 0;
			shared_free(w, sizeof(*w));
			return -ETIMEDOUT;
		}
		nap();
	}
	watched = 0;
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "died of signal %d while %s", WTERMSIG(status), w->phase);
		ret = -EIO;
	} else if (WEXITSTATUS(status)) {
		snprintf(err, errlen, "%s", w->err[0] ? w->err : "failed without saying why");
		ret = w->ret ? w->ret : -EIO;
	} else {
		ret = 0;
	}
	shared_free(w, sizeof(*w));
	return ret;
}
