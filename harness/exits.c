/*
 * exits.c - how and when each process of the box ended, from a pidfd per
 * process.
 *
 * The tracer sees calls before they run, never their results, and a
 * process killed by a signal makes no call at all. So the tracer opens a
 * pidfd for every process when it learns it (at its first notified call,
 * which glibc's fork child makes at once) and watches them all with one
 * epoll set, which the event loop polls:
 *
 *  - EPOLLIN: the process died (a zombie now): its end time;
 *  - EPOLLHUP: it was reaped, by its parent or by the box's init, and
 *    the pidfd gives the wait status the reaper got (PIDFD_INFO_EXIT,
 *    Linux 6.15): exit code, signal, core dump. Exact, however the
 *    parent waited or whether it waited at all.
 *
 * Older kernels give no status after the reap; there the status is read
 * from the zombie's /proc/PID/stat (field 52) at EPOLLIN, which loses the
 * race against a parent already blocked in wait. The result says which
 * way ends were learned (`exits_by`).
 *
 * One fd per process of the run: RLIMIT_NOFILE is raised, for the run,
 * to what the processes limit needs (at most its hard limit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

/* Linux 6.15's <linux/pidfd.h>, which Debian bookworm's headers predate. */
struct pidfd_exit_info {
	__u64 mask;
	__u64 cgroupid;
	__u32 pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	__s32 exit_code;
	__u32 coredump_mask;
	__u32 spare;
};
#define INFO_EXIT (1ULL << 3)
#define GET_INFO _IOWR(0xFF, 11, struct pidfd_exit_info)

/* A pidfd's wait status after its process was reaped; -errno when the
 * kernel does not know it (before 6.15) or the process is not reaped. */
static int reaped_status(int pidfd, int *status)
{
	struct pidfd_exit_info info;

	memset(&info, 0, sizeof(info));
	info.mask = INFO_EXIT;
	if (ioctl(pidfd, GET_INFO, &info) < 0)
		return -errno;
	if (!(info.mask & INFO_EXIT))
		return -ENODATA;
	*status = info.exit_code;
	return 0;
}

bool hx_exits_exact(void)
{
	static int exact = -1;

	if (exact < 0) {
		/* A child of our own that exits 7 at once, reaped by us. */
		pid_t pid = fork();
		int st, code = -1, fd = -1;

		if (pid == 0)
			_exit(7);
		if (pid > 0) {
			fd = (int)syscall(SYS_pidfd_open, pid, 0);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
		}
		exact = fd >= 0 && reaped_status(fd, &code) == 0 && WIFEXITED(code) && WEXITSTATUS(code) == 7;
		if (fd >= 0)
			close(fd);
	}
	return exact;
}

int hx_exits_init(struct hx_exits *x, unsigned max_processes)
{
	struct rlimit rl;

	memset(x, 0, sizeof(*x));
	x->exact = hx_exits_exact();
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (x->epfd < 0)
		return -errno;
	/* Room for a pidfd per process the limits allow, zombies included. */
	rlim_t need = (rlim_t)max_processes * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		x->saved = malloc(sizeof(*x->saved));
		if (x->saved) {
			*x->saved = rl;
			rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
				free(x->saved);
				x->saved = NULL;
			}
		}
	}
	return 0;
}

void hx_exits_release(struct hx_exits *x)
{
	if (x->epfd >= 0)
		close(x->epfd);
	x->epfd = -1;
	if (x->saved)
		setrlimit(RLIMIT_NOFILE, x->saved);
	free(x->saved);
	x->saved = NULL;
}

void hx_exits_watch(struct hx_tracer *t, size_t idx)
{
	struct hx_tracee *p = &t->pm.procs[idx];
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = idx };

	p->start_us = hx_now_us();
	if (t->exits.epfd < 0 || p->host_pid <= 0)
		return;
	p->pidfd = (int)syscall(SYS_pidfd_open, p->host_pid, 0);
	if (p->pidfd < 0)
		return;
	if (epoll_ctl(t->exits.epfd, EPOLL_CTL_ADD, p->pidfd, &ev) < 0) {
		close(p->pidfd);
		p->pidfd = -1;
		return;
	}
	t->exits.nopen++;
}

static void close_pidfd(struct hx_tracer *t, struct hx_tracee *p)
{
	if (p->pidfd < 0)
		return;
	close(p->pidfd);	/* leaves the epoll set with it */
	p->pidfd = -1;
	t->exits.nopen--;
}

/* The name of a process that executed a program, read while it is a
 * zombie (trace_export.c falls back on the program's base name). */
static void refresh_comm(struct hx_tracee *p)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)p->host_pid);
	if (hx_read_file(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(p->comm, sizeof(p->comm), "%s", buf);
		p->comm_stale = false;
	}
}

/* What a pidfd of record idx said. */
static void took(struct hx_tracer *t, size_t idx, uint32_t events, uint64_t now)
{
	struct hx_tracee *p = &t->pm.procs[idx];

	if (!p->end_us)
		p->end_us = now;
	if (!(events & EPOLLHUP)) {
		/* A zombie: from now on only its reaping matters (EPOLLHUP
		 * is always reported). Before 6.15 its /proc entry is the
		 * only source, and only until it is reaped. */
		struct epoll_event ev = { .events = 0, .data.u64 = idx };

		if (!t->exits.exact && !p->status_known && hx_proc_zombie_status(p->host_pid, &p->status) == 0)
			p->status_known = true;
		if (p->comm_stale)
			refresh_comm(p);
		epoll_ctl(t->exits.epfd, EPOLL_CTL_MOD, p->pidfd, &ev);
		return;
	}
	if (!p->status_known && reaped_status(p->pidfd, &p->status) == 0)
		p->status_known = true;
	close_pidfd(t, p);
}

void hx_exits_collect(struct hx_tracer *t)
{
	struct epoll_event evs[256];
	int n;

	if (t->exits.epfd < 0 || t->exits.nopen == 0)
		return;
	do {
		n = epoll_wait(t->exits.epfd, evs, (int)HX_ARRAY_SIZE(evs), 0);
		uint64_t now = hx_now_us();

		for (int i = 0; i < n; i++)
			if (evs[i].data.u64 < t->pm.n)
				took(t, (size_t)evs[i].data.u64, evs[i].events, now);
	} while (n == (int)HX_ARRAY_SIZE(evs));
}

void hx_exits_finish(struct hx_tracer *t)
{
	hx_exits_collect(t);
	for (size_t i = 0; i < t->pm.n; i++) {
		struct hx_tracee *p = &t->pm.procs[i];

		/* Not reaped yet (a zombie whose reaper is gone too late to
		 * matter): its /proc entry still says how it ended. */
		if (!p->status_known && p->host_pid > 0 && hx_proc_zombie_status(p->host_pid, &p->status) == 0)
			p->status_known = true;
		if (p->pidfd >= 0 && p->status_known && !p->end_us)
			p->end_us = hx_now_us();
		close_pidfd(t, p);
	}
}
