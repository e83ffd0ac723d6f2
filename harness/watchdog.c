/*
 * watchdog.c - sample the box's processes from /proc, tell a deadlock
 * from a slow program, and count CPU time where no cgroup does.
 *
 * Every tick (50 ms) we read, for every thread of every box process, its
 * state and, when it sleeps, /proc/PID/task/TID/syscall: the system call
 * it sleeps in and its arguments. We key on the syscall number (wchan
 * names vary across kernels). A run is deadlocked when, for
 * deadlock_after_ms, every live thread sleeps in an untimed wait (a pipe
 * read with no writer coming, sem_wait, wait4, pause, ...) or is stopped,
 * none of our delayed answers is pending, and nothing moves: no CPU time,
 * no context switch, no output. A thread in nanosleep, in a wait with a
 * timeout, or running means "not a deadlock": such runs end as timeouts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef F_OFD_SETLKW
#define F_OFD_SETLKW 38
#endif

struct hx_watchdog {
	pid_t init_pid;
	unsigned deadlock_after_ms;
	bool detect;
	uint64_t blocked_since;		/* 0: not all blocked at the last tick */
	unsigned long long signature;	/* progress counters at blocked_since */
	long long cpu_us;
	unsigned long vm_peak_kb;
	long ticks_per_sec;
	struct hx_pids pids, tids;	/* of the last sample, reused */
};

struct hx_watchdog *hx_watchdog_new(pid_t init_pid, unsigned deadlock_after_ms, bool detect)
{
	struct hx_watchdog *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->init_pid = init_pid;
	w->deadlock_after_ms = deadlock_after_ms;
	w->detect = detect;
	w->ticks_per_sec = sysconf(_SC_CLK_TCK);
	if (w->ticks_per_sec <= 0)
		w->ticks_per_sec = 100;
	return w;
}

void hx_watchdog_free(struct hx_watchdog *w)
{
	if (!w)
		return;
	hx_pids_release(&w->pids);
	hx_pids_release(&w->tids);
	free(w);
}

int hx_read_syscall(pid_t pid, pid_t tid, struct hx_syscall_state *sc)
{
	char path[80], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	memset(sc, 0, sizeof(*sc));
	sc->nr = -1;
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return -errno;
	/* "running", or "-1 sp pc" (blocked outside a syscall), or
	 * "nr arg0 ... arg5 sp pc" with args in hex. */
	if (strncmp(buf, "running", 7) == 0)
		return 0;
	char *p = buf, *end;

	sc->nr = strtol(p, &end, 10);
	if (end == p)
		sc->nr = -1;
	p = end;
	for (int i = 0; i < 6 && sc->nr >= 0; i++) {
		sc->args[i] = strtoul(p, &end, 16);
		if (end == p)
			break;
		p = end;
	}
	return 0;
}

static bool futex_waits(unsigned long op)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI:
	case FUTEX_WAIT_REQUEUE_PI: case 13 /* FUTEX_LOCK_PI2 */:
		return true;
	}
	return false;
}

enum hx_wait_kind hx_classify_wait(char state, const struct hx_syscall_state *sc)
{
	const unsigned long *a = sc->args;

	if (state == 'T' || state == 't')
		return HX_WAIT_STOPPED;
	if (state != 'S' && state != 'D')
		return HX_WAIT_NONE;
	switch (sc->nr) {
	/* I/O on pipes, FIFOs and sockets: untimed. */
	case SYS_read: case SYS_readv: case SYS_write: case SYS_writev:
	case SYS_recvfrom: case SYS_recvmsg: case SYS_sendto: case SYS_sendmsg:
	case SYS_accept: case SYS_accept4: case SYS_connect:
	/* open() of a FIFO waits for the other end. */
	case SYS_open: case SYS_openat:
	case SYS_semop: case SYS_msgrcv: case SYS_msgsnd:
	case SYS_wait4: case SYS_waitid:
	case SYS_pause: case SYS_rt_sigsuspend:
	case SYS_flock:
		return HX_WAIT_FOREVER;
	case SYS_futex:
		if (!futex_waits(a[1]))
			return HX_WAIT_NONE;
		return a[3] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_futex_waitv:
		return a[3] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_semtimedop:
		return a[3] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_mq_timedreceive: case SYS_mq_timedsend:
		return a[4] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_rt_sigtimedwait:
		return a[2] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_poll:
		return (int)a[2] < 0 ? HX_WAIT_FOREVER : HX_WAIT_TIMED;
	case SYS_ppoll:
		return a[2] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_select:
		return a[4] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_pselect6:
		return a[4] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_epoll_wait: case SYS_epoll_pwait:
		return (int)a[3] < 0 ? HX_WAIT_FOREVER : HX_WAIT_TIMED;
	case SYS_epoll_pwait2:
		return a[3] ? HX_WAIT_TIMED : HX_WAIT_FOREVER;
	case SYS_fcntl:
		return (a[1] == F_SETLKW || a[1] == F_OFD_SETLKW) ? HX_WAIT_FOREVER : HX_WAIT_NONE;
	case SYS_nanosleep: case SYS_clock_nanosleep:
		return HX_WAIT_TIMED;
	}
	return HX_WAIT_NONE;
}

static unsigned long vm_peak(pid_t pid)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	char *p = strstr(buf, "VmPeak:");

	return p ? strtoul(p + 7, NULL, 10) : 0;
}

bool hx_watchdog_sample(struct hx_watchdog *w, struct hx_tracer *t, uint64_t now_us,
			size_t out_bytes)
{
	int n = hx_proc_descendants(w->init_pid, &w->pids);
	const pid_t *pids = w->pids.v;
	unsigned long long ticks = 0, switches = 0;
	int live = 0;
	bool all_blocked = true;
	struct hx_proc_stat st;

	if (hx_proc_stat(w->init_pid, 0, &st) == 0)
		ticks += st.cutime + st.cstime;	/* processes already reaped */
	for (int i = 0; i < n; i++) {
		int nt = hx_proc_threads(pids[i], &w->tids);
		const pid_t *tids = w->tids.v;
		unsigned long vm = vm_peak(pids[i]);

		if (vm > w->vm_peak_kb)
			w->vm_peak_kb = vm;
		if (hx_proc_stat(pids[i], 0, &st) == 0)
			ticks += st.utime + st.stime + st.cutime + st.cstime;
		for (int j = 0; j < nt; j++) {
			struct hx_proc_stat ts;
			struct hx_syscall_state sc;

			if (hx_proc_stat(pids[i], tids[j], &ts) < 0 || ts.state == 'Z' || ts.state == 'X')
				continue;
			live++;
			if (!w->detect || !all_blocked)
				continue;
			switches += hx_proc_ctxt_switches(pids[i], tids[j]);
			if (t && hx_tracer_holds(t, tids[j])) {
				all_blocked = false;	/* waits for our answer, not for a peer */
				continue;
			}
			hx_read_syscall(pids[i], tids[j], &sc);
			enum hx_wait_kind k = hx_classify_wait(ts.state, &sc);

			if (k != HX_WAIT_FOREVER && k != HX_WAIT_STOPPED)
				all_blocked = false;
		}
	}
	w->cpu_us = (long long)(ticks * 1000000ull / (unsigned long long)w->ticks_per_sec);
	if (!w->detect || live == 0 || !all_blocked) {
		w->blocked_since = 0;
		return false;
	}
	/* Anything that moved restarts the clock. */
	unsigned long long sig = ticks * 1000003ull ^ switches * 7919ull ^ out_bytes ^
				 (unsigned long long)live << 48;

	if (w->blocked_since == 0 || sig != w->signature) {
		w->blocked_since = now_us;
		w->signature = sig;
		return false;
	}
	return now_us - w->blocked_since >= (uint64_t)w->deadlock_after_ms * 1000;
}

long long hx_watchdog_cpu_us(const struct hx_watchdog *w)
{
	return w->cpu_us;
}

unsigned long hx_watchdog_vm_peak_kb(const struct hx_watchdog *w)
{
	return w->vm_peak_kb;
}
