/*
 * killcheck.c - reduced isolation's check of kill-like calls.
 *
 * Without a pid namespace the box's processes could signal any process
 * of their user, the grader's included. The policy's KILL_CHECK rules
 * (policy_table.c) notify the kill-like calls there, and the tracer lets
 * one run only when its target is a process of the run: a descendant of
 * the box's init (which is a child subreaper, so orphans stay below it),
 * or a process group one of them leads. pidfd_send_signal names its
 * target by a descriptor (from pidfd_open, or an open /proc/PID): the
 * process behind it is checked the same way.
 *
 * A target that is no process of the run is not always an attack: a
 * program may kill its own child after reaping it. When no such process
 * exists any more, or the pid was one of the run's (and has been reused
 * by a host process since), the kernel would say ESRCH, and so do we,
 * without signalling anything and without calling it a denial. Only a
 * live process that never was the run's is refused (EPERM, counted).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"

/* pidfd_send_signal's own process and thread (Linux 6.15+). */
#define PIDFD_SELF_THREAD (-10000)
#define PIDFD_SELF_THREAD_GROUP (-20000)

/* Whether pid is a process of this run (a descendant of the init). */
static bool in_run(pid_t init_pid, pid_t pid)
{
	if (pid <= 0 || pid == init_pid)
		return false;
	/* No chain of parents is longer than the number of pids. */
	for (int depth = 0; depth < HX_PID_MAX; depth++) {
		struct hx_proc_stat st;

		if (hx_proc_stat(pid, 0, &st) < 0)
			return false;
		if (st.ppid == init_pid)
			return true;
		if (st.ppid <= 1)
			return false;
		pid = st.ppid;
	}
	return false;
}

static bool exists(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0;
}

/* A process, by its tgid. */
static enum hx_kill_target process(struct hx_tracer *t, pid_t pid)
{
	if (in_run(t->init_pid, pid))
		return HX_KILL_OK;
	if (pid > 0 && pid != t->init_pid && (!exists(pid) || hx_pidmap_find(t, pid)))
		return HX_KILL_GONE;
	return HX_KILL_OUTSIDE;
}

/* Whether any process of the host is in process group pgrp. */
static bool group_exists(pid_t pgrp)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return true;	/* cannot tell: assume it does */
	while (!found && (e = readdir(d))) {
		struct hx_proc_stat st;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		found = *end == '\0' && pid > 0 && hx_proc_stat((pid_t)pid, 0, &st) == 0 &&
			st.pgrp == pgrp;
	}
	closedir(d);
	return found;
}

static enum hx_kill_target group(struct hx_tracer *t, pid_t pgrp)
{
	struct hx_pids pids = { 0 };
	bool found = false;

	hx_proc_descendants(t->init_pid, &pids);
	for (size_t i = 0; i < pids.n && !found; i++) {
		struct hx_proc_stat st;

		found = hx_proc_stat(pids.v[i], 0, &st) == 0 && st.pgrp == pgrp;
	}
	hx_pids_release(&pids);
	if (found)
		return HX_KILL_OK;
	if (pgrp != t->init_pid && (hx_pidmap_find(t, pgrp) || !group_exists(pgrp)))
		return HX_KILL_GONE;
	return HX_KILL_OUTSIDE;
}

/* The process behind descriptor fd of thread tid: a pidfd ("Pid:" in its
 * fdinfo; -1 once the process is gone) or an open /proc/PID directory.
 * 0: it is neither (the kernel refuses the call: EBADF, EINVAL). */
static pid_t pidfd_target(pid_t tid, int fd)
{
	char path[64], buf[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return 0;
	const char *pid = strstr(buf, "\nPid:");

	if (pid)
		return (pid_t)strtol(pid + 5, NULL, 10);
	n = hx_proc_fd_link(tid, fd, buf, sizeof(buf));
	if (n < 0)
		return 0;
	char *end;
	long v = strncmp(buf, "/proc/", 6) == 0 ? strtol(buf + 6, &end, 10) : 0;

	return v > 0 && (*end == '\0' || strcmp(end, "/") == 0 || strcmp(end, " (deleted)") == 0) ?
		(pid_t)v : 0;
}

enum hx_kill_target hx_killcheck_target(struct hx_tracer *t, pid_t tid, int nr, const uint64_t *a)
{
	pid_t target = (pid_t)a[0];

	switch (nr) {
	case SYS_kill:
		if (target == 0)
			return HX_KILL_OK;	/* the caller's own group: inside the run */
		if (target == -1)
			return HX_KILL_OUTSIDE;	/* every process the user may signal */
		if (target < 0)
			return target == INT32_MIN ? HX_KILL_GONE : group(t, -target);
		return process(t, target);
	case SYS_tkill: {
		pid_t tgid = hx_proc_tgid(target);

		return tgid > 0 ? process(t, tgid) : target > 0 ? HX_KILL_GONE : HX_KILL_OUTSIDE;
	}
	case SYS_pidfd_send_signal: {
		int fd = (int)a[0];

		if (fd == PIDFD_SELF_THREAD || fd == PIDFD_SELF_THREAD_GROUP)
			return HX_KILL_OK;
		pid_t pid = pidfd_target(tid, fd);

		if (pid == 0)
			return HX_KILL_OK;	/* no process behind it: the kernel says no */
		return pid < 0 ? HX_KILL_GONE : process(t, pid);
	}
	default:		/* tgkill, rt_(tg)sigqueueinfo, pidfd_open: a tgid */
		/* no process has a pid <= 0: the kernel refuses the call */
		return target > 0 ? process(t, target) : HX_KILL_OK;
	}
}
