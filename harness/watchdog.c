/*
 * watchdog.c - sample the box's processes from /proc, tell a deadlock
 * from a slow program, and count CPU time where no cgroup does.
 *
 * Every tick (50 ms, longer when a sample costs more: event_loop.c) we
 * read, for the threads of the box's processes, their state and, when
 * they sleep, /proc/PID/task/TID/syscall: the system call each sleeps in
 * and its arguments. We key on the syscall number (wchan
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
	bool need_cpu, need_vm;		/* no cgroup counts them */
	bool from_tracer;		/* the tracer's table lists the processes */
	long ticks_per_sec;
	struct hx_pids pids, tids;	/* of the last sample, reused */
};

struct hx_watchdog *hx_watchdog_new(pid_t init_pid, unsigned deadlock_after_ms, bool detect,
				    unsigned flags)
{
	struct hx_watchdog *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->init_pid = init_pid;
	w->deadlock_after_ms = deadlock_after_ms;
	w->detect = detect;
	w->need_cpu = flags & HX_WATCH_CPU;
	w->need_vm = flags & HX_WATCH_VM;
	w->from_tracer = flags & HX_WATCH_TRACED;
	w->ticks_per_sec = sysconf(_SC_CLK_TCK);
	if (w->ticks_per_sec <= 0)
		w->ticks_per_sec = 100;
	return w;
}

bool hx_watchdog_all_blocked(const struct hx_watchdog *w)
{
	return w->blocked_since != 0;
}

void hx_watchdog_also_count(struct hx_watchdog *w, unsigned flags)
{
	w->need_cpu |= (flags & HX_WATCH_CPU) != 0;
	w->need_vm |= (flags & HX_WATCH_VM) != 0;
}

void hx_watchdog_free(struct hx_watchdog *w)
{
	if (!w)
		return;
	hx_pids_release(&w->pids);
	hx_pids_release(&w->tids);
	free(w);
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

/* One thread's part of a sample: whether it is live, and whether it is
 * blocked for good (then its context switches are added). */
static void sample_thread(struct hx_watchdog *w, struct hx_tracer *t, pid_t pid, pid_t tid, char state,
			  int *live, bool *all_blocked, unsigned long long *switches)
{
	struct hx_syscall_state sc;

	if (state == 'Z' || state == 'X')
		return;
	++*live;
	if (!w->detect || !*all_blocked)
		return;
	if (t && hx_tracer_holds(t, tid)) {
		*all_blocked = false;	/* waits for our answer, not for a peer */
		return;
	}
	hx_read_syscall(pid, tid, &sc);
	enum hx_wait_kind k = hx_classify_wait(state, &sc);

	if (k != HX_WAIT_FOREVER && k != HX_WAIT_STOPPED) {
		*all_blocked = false;
		return;
	}
	*switches += hx_proc_ctxt_switches(pid, tid);
}

struct sample {
	unsigned long long ticks, switches;
	int live;
	bool all_blocked;
};

/* Reads the processes of w->pids, as little as it may. */
static void scan(struct hx_watchdog *w, struct hx_tracer *t, struct sample *sm)
{
	struct hx_proc_stat st;

	memset(sm, 0, sizeof(*sm));
	sm->all_blocked = w->detect;
	if (w->need_cpu && hx_proc_stat(w->init_pid, 0, &st) == 0)
		sm->ticks += st.cutime + st.cstime;	/* processes already reaped */
	for (size_t i = 0; i < w->pids.n && (sm->all_blocked || w->need_cpu || w->need_vm); i++) {
		pid_t pid = w->pids.v[i];

		if (hx_proc_stat(pid, 0, &st) < 0)
			continue;
		if (w->need_vm) {
			unsigned long vm = vm_peak(pid);

			if (vm > w->vm_peak_kb)
				w->vm_peak_kb = vm;
		}
		sm->ticks += st.utime + st.stime + st.cutime + st.cstime;
		if (st.num_threads == 1) {
			/* One thread: the process's own line says its state. */
			sample_thread(w, t, pid, pid, st.state, &sm->live, &sm->all_blocked, &sm->switches);
			continue;
		}
		int nt = hx_proc_threads(pid, &w->tids);

		for (int j = 0; j < nt; j++) {
			struct hx_proc_stat ts;

			if (hx_proc_stat(pid, w->tids.v[j], &ts) == 0)
				sample_thread(w, t, pid, w->tids.v[j], ts.state, &sm->live, &sm->all_blocked,
					      &sm->switches);
		}
	}
}

/*
 * The processes come from the tracer's table when it traces (no walk of
 * /proc), from the init's descendants otherwise. A sample stops reading
 * as soon as it has what it needs: with cgroups counting CPU and memory,
 * the first thread that is not blocked for good ends it, so a busy run
 * costs a few reads a tick however many processes it has. Only a box
 * where everything waits (a deadlock, or its last moments) is read whole,
 * and then from /proc itself, so that no process the tracer has not
 * learned yet can hide a thread that still runs.
 */
bool hx_watchdog_sample(struct hx_watchdog *w, struct hx_tracer *t, uint64_t now_us,
			size_t out_bytes)
{
	struct sample sm;

	if (w->from_tracer && t)
		hx_tracer_live_processes(t, &w->pids);
	else
		hx_proc_descendants(w->init_pid, &w->pids);
	scan(w, t, &sm);
	if (w->from_tracer && t && sm.all_blocked && sm.live > 0) {
		hx_proc_descendants(w->init_pid, &w->pids);
		scan(w, t, &sm);
	}
	if (w->need_cpu)
		w->cpu_us = (long long)(sm.ticks * 1000000ull / (unsigned long long)w->ticks_per_sec);
	if (!w->detect || sm.live == 0 || !sm.all_blocked) {
		w->blocked_since = 0;
		return false;
	}
	/* Anything that moved restarts the clock. */
	unsigned long long sig = sm.ticks * 1000003ull ^ sm.switches * 7919ull ^ out_bytes ^
				 (unsigned long long)sm.live << 48;

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
