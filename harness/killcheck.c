/*
 * killcheck.c - reduced isolation's check of kill-like calls.
 *
 * Without a pid namespace the box's processes could signal any process
 * of their user, the grader's included. The policy's KILL_CHECK rules
 * (policy_table.c) notify the kill-like calls there, and the tracer lets
 * one run only when its target is a process of the run: a descendant of
 * the box's init (which is a child subreaper, so orphans stay below it),
 * or a process group one of them leads.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"

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

static bool group_in_run(pid_t init_pid, pid_t pgrp)
{
	struct hx_pids pids = { 0 };
	bool found = false;
	hx_proc_descendants(init_pid, &pids);
	for (size_t i = 0; i < pids.n && !found; i++) {
		struct hx_proc_stat st;

		found = hx_proc_stat(pids.v[i], 0, &st) == 0 && st.pgrp == pgrp;
	}
	hx_pids_release(&pids);
	return found;
}

bool hx_killcheck_target_ok(pid_t init_pid, int nr, const uint64_t *a)
{
	pid_t target = (pid_t)a[0];

	switch (nr) {
	case SYS_kill:
		if (target == 0)
			return true;	/* the caller's own group: inside the run */
		if (target == -1)
			return false;	/* every process the user may signal */
		if (target < 0)
			return group_in_run(init_pid, -target);
		return in_run(init_pid, target);
	case SYS_tkill: {
		pid_t tgid = hx_proc_tgid(target);

		return tgid > 0 && in_run(init_pid, tgid);
	}
	default:		/* tgkill, rt_(tg)sigqueueinfo, pidfd_open: a tgid */
		return in_run(init_pid, target);
	}
}
