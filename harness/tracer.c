/*
 * tracer.c - the supervisor's side of seccomp user notification:
 * receive a notification, dispatch it, answer it.
 *
 * Every notification is one system call of a box process, stopped
 * before it runs. We decide (deny, check a kill target, or trace), record
 * what the call means at the level the student wrote it (calls.c), and
 * answer: at once, or later when jittering (jitter.c), so that the event
 * loop never sleeps. With time_scale, sleeps are answered by us after a
 * shortened time (timescale.c), never run. The other parts of the tracer
 * are listed in trace.h.
 *
 * Pids: the kernel gives us host pids (thread ids, in fact). Reports use
 * box pids, numbered in creation order with the first process as 1: the
 * table (pidmap.c) learns each process at its first notified call, and
 * numbers them when the run is exported (or a deadlock explained).
 * Each process's end comes from a pidfd (exits.c). Runs whose calls are
 * not traced learn their processes from /proc at each watchdog tick.
 *
 * With the eBPF backend (HX_POLICY_EBPF), the calls the kernel counts
 * are never notified: their events come from ebpf.c's ring buffer,
 * taken in between notifications and put in their place in time.
 *
 * Facts of the kernel ABI this relies on (kernel 6.x, libseccomp 2.5):
 *  - the request must be zeroed before every receive (else EINVAL);
 *  - after reading a tracee's memory, seccomp_notify_id_valid() tells
 *    whether the pid still belongs to the notifying task;
 *  - answering a notification whose task died fails with ENOENT: fine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "trace.h"

struct hx_tracer *hx_tracer_new(const struct hx_config *cfg, bool full, unsigned policy, pid_t init_pid,
				 unsigned max_processes)
{
	struct hx_tracer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (seccomp_notify_alloc(&t->req, &t->resp) < 0) {
		free(t);
		return NULL;
	}
	t->trace = cfg->trace;
	t->full = full;
	t->policy = policy;
	t->init_pid = init_pid;
	t->exits.epfd = -1;
	if ((t->policy & HX_POLICY_TRACE) && hx_exits_init(&t->exits, max_processes) < 0) {
		hx_tracer_free(t);
		return NULL;
	}
	hx_jitter_init(&t->jit, cfg->jitter_max_us, cfg->seed);
	if (hx_time_scale_on(cfg))
		t->time_scale = cfg->time_scale;
	return t;
}

void hx_tracer_free(struct hx_tracer *t)
{
	if (!t)
		return;
	hx_ebpf_run_end(t);
	for (size_t i = 0; i < t->nevents; i++)
		free(t->events[i].detail);
	for (size_t i = 0; i < t->pm.n; i++) {
		hx_fdcache_close(t, &t->pm.procs[i].fds);
		if (t->pm.procs[i].pidfd >= 0)
			close(t->pm.procs[i].pidfd);
	}
	free(t->events);
	for (size_t i = 0; i < t->nfifo_names; i++)
		free(t->fifo_names[i].path);
	free(t->fifo_names);
	free(t->calls);
	hx_exits_release(&t->exits);
	hx_pidmap_release(&t->pm);
	free(t->denied);
	hx_exitfds_release(t);
	hx_jitter_release(&t->jit);
	seccomp_notify_free(t->req, t->resp);
	free(t);
}

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

bool hx_tracer_sync_wakeups(int listener)
{
	/* Linux 6.6+: a notification wakes the supervisor, and its answer
	 * wakes the task, on the waker's own CPU, like a direct hand-off,
	 * instead of an inter-processor wake-up each way. Older kernels
	 * refuse the ioctl; tracing works the same, only slower. */
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		     SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
}

void hx_tracer_set_created(struct hx_tracer *t, struct hx_created *c)
{
	t->created = c;
}

void hx_tracer_set_output_pipes(struct hx_tracer *t, unsigned long out_ino, unsigned long err_ino)
{
	t->out_ino = out_ino;
	t->err_ino = err_ino;
}

void hx_tracer_set_start(struct hx_tracer *t, uint64_t start_us, pid_t first_pid)
{
	struct hx_proc_ids ids;

	t->start_us = start_us;
	if (hx_pidmap_find(t, first_pid))
		return;
	/* The first process is record 0, and box pid 1. */
	if (hx_proc_ids(first_pid, &ids) < 0)
		ids = (struct hx_proc_ids){ .tgid = first_pid, .ns_tgid = first_pid };
	hx_pidmap_add(t, first_pid, t->full ? ids.ns_tgid : first_pid, 0, ids.name);
	/* Its execve waits for our answer: tracked before the program runs. */
	hx_ebpf_run_start(t, first_pid);
}

/* ---- processes ------------------------------------------------------------ */

void hx_tracer_discover(struct hx_tracer *t)
{
	/* Traced runs learn every process from its calls. */
	if (!(t->policy & HX_POLICY_TRACE))
		hx_pidmap_discover(t);
}

int hx_tracer_box_pid(struct hx_tracer *t, pid_t host_pid)
{
	struct hx_tracee *p = hx_pidmap_find(t, host_pid);

	if (p && !p->box_pid)
		hx_pidmap_number(t);
	return p ? p->box_pid : 0;
}

int hx_tracer_box_pid_of_ns(struct hx_tracer *t, pid_t ns_pid)
{
	struct hx_tracee *p = hx_pidmap_find_ns(t, ns_pid);

	if (p && !p->box_pid)
		hx_pidmap_number(t);
	return p ? p->box_pid : 0;
}

int hx_tracer_exits_fd(const struct hx_tracer *t)
{
	return t->exits.nopen ? t->exits.epfd : -1;
}

void hx_tracer_collect_exits(struct hx_tracer *t)
{
	/* A process's last events and counts before its end. */
	hx_ebpf_drain(t);
	hx_exits_collect(t);
}

int hx_tracer_ebpf_fd(const struct hx_tracer *t)
{
	return hx_ebpf_fd(t);
}

void hx_tracer_ebpf_drain(struct hx_tracer *t)
{
	hx_ebpf_drain(t);
}

void hx_tracer_teardown(struct hx_tracer *t)
{
	if (!t->teardown_us)
		t->teardown_us = hx_now_us();
}

void hx_tracer_leftover(struct hx_tracer *t, pid_t ns_pid, const char *comm)
{
	struct hx_tracee *p = hx_pidmap_find_ns(t, ns_pid);

	/* Never seen (it made no traced call): its box-side pid still gives
	 * it its place in the numbering. */
	if (!p)
		p = hx_pidmap_add(t, t->full ? 0 : ns_pid, ns_pid, 0, comm);
	if (!p)
		return;
	p->leftover = true;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->comm_stale = false;
	hx_tracer_teardown(t);
}

pid_t hx_tracer_host_pid(const struct hx_tracer *t, int box_pid)
{
	const struct hx_tracee *p = hx_pidmap_of_box(t, box_pid);

	return p ? p->host_pid : 0;
}

int hx_tracer_live_processes(struct hx_tracer *t, struct hx_pids *out)
{
	out->n = 0;
	for (size_t i = 0; i < t->pm.n; i++) {
		const struct hx_tracee *p = &t->pm.procs[i];

		if (!p->end_us && p->host_pid > 0 && hx_pids_add(out, p->host_pid) < 0)
			break;
	}
	return (int)out->n;
}

int hx_tracer_nprocs(struct hx_tracer *t)
{
	if (!t)
		return 0;
	hx_pidmap_number(t);
	return (int)t->pm.nnumbered;
}

int hx_tracer_parent_box(struct hx_tracer *t, int box_pid)
{
	const struct hx_tracee *p;

	if (!t)
		return 0;
	hx_pidmap_number(t);
	p = hx_pidmap_of_box(t, box_pid);
	return p && p->parent ? t->pm.procs[p->parent - 1].box_pid : 0;
}

/* ---- answering ----------------------------------------------------------- */

static void deny(struct hx_tracer *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ndenied; i++)
		if (strcmp(t->denied[i].name, name) == 0)
			break;
	if (i == t->ndenied) {
		struct hx_denial *arr = realloc(t->denied, (t->ndenied + 1) * sizeof(*arr));

		if (!arr)
			return;
		t->denied = arr;
		memset(&arr[i], 0, sizeof(arr[i]));
		snprintf(arr[i].name, sizeof(arr[i].name), "%s", name);
		t->ndenied++;
	}
	t->denied[i].count++;
}

static void respond(struct hx_tracer *t, int fd, uint64_t id, int error)
{
	memset(t->resp, 0, sizeof(*t->resp));
	t->resp->id = id;
	if (error) {
		t->resp->error = -error;
	} else {
		t->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	/* ENOENT: the task died (or was signalled) meanwhile: nothing to do. */
	seccomp_notify_respond(fd, t->resp);
}

struct answer_to {
	struct hx_tracer *t;
	int fd;
};

static void answer_held(uint64_t id, pid_t tid, const struct hx_reply *reply, void *arg)
{
	const struct answer_to *to = arg;
	struct hx_tracer *t = to->t;

	if (reply->cont) {
		if (reply->interrupted)
			t->ts.interrupted++;
		t->ts.waited_us += reply->held_us;
		respond(t, to->fd, id, 0);
		return;
	}
	t->ts.waited_us += reply->held_us;
	if (reply->zero_len) {
		static const char zeros[32];

		/* What the timeout has left, as the kernel would write it; the
		 * task is still stopped in the call, so nothing of it races. */
		if (reply->zero_len <= sizeof(zeros) && seccomp_notify_id_valid(to->fd, id) == 0)
			(void)hx_proc_write_mem(tid, reply->zero_addr, zeros, reply->zero_len);
	}
	memset(t->resp, 0, sizeof(*t->resp));
	t->resp->id = id;
	t->resp->error = -reply->error;
	t->resp->val = reply->val;
	seccomp_notify_respond(to->fd, t->resp);
}

static bool signal_waits(pid_t tid, void *arg)
{
	(void)arg;
	return hx_proc_signal_pending(tid) > 0;
}

/* Answers now, or holds the answer back (jitter.c). */
static void respond_later(struct hx_tracer *t, int fd, uint64_t id, pid_t tid, pid_t gated_by)
{
	if (!hx_jitter_hold(&t->jit, id, tid, gated_by))
		respond(t, fd, id, 0);
}

uint64_t hx_tracer_flush_due(struct hx_tracer *t, int fd, uint64_t now_us)
{
	struct answer_to to = { .t = t, .fd = fd };
	struct hx_held_ops ops = { .answer = answer_held, .signalled = signal_waits, .arg = &to };

	/* No listener: nobody waits for the answers any more. */
	return hx_jitter_due(&t->jit, now_us, fd >= 0 ? &ops : NULL);
}

bool hx_tracer_holds(const struct hx_tracer *t, pid_t tid)
{
	return hx_jitter_holds(&t->jit, tid);
}

bool hx_tracer_any_pending(const struct hx_tracer *t)
{
	return hx_jitter_any(&t->jit);
}

/* The children a start gate just let go, answered in one pass, each
 * woken where the scheduler finds an idle CPU: a synchronous wake-up
 * would queue them all on our CPU, one after the other (jitter.c). */
static void release_gated(struct hx_tracer *t, int fd)
{
	struct answer_to to = { .t = t, .fd = fd };
	struct hx_held_ops ops = { .answer = answer_held, .signalled = signal_waits, .arg = &to };
	bool sync = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 0UL) == 0;

	(void)hx_jitter_due(&t->jit, hx_now_us(), &ops);
	if (sync)
		(void)hx_tracer_sync_wakeups(fd);
}

/* ---- one notification ------------------------------------------------------ */

/* What the policy (one table: policy_table.c) says of the call, with the
 * kill check of reduced isolation applied; name is what the report shows
 * for a refused call (HX_SC_DENY). HX_SC_ERRNO: answer *errnum, uncounted
 * (a kill of a process that is gone: ESRCH, as the kernel would). */
static enum hx_syscall_class classify(struct hx_tracer *t, const struct seccomp_notif *r,
				      char *name, size_t size, int *errnum)
{
	int nr = r->data.nr;
	const uint64_t *a = (const uint64_t *)r->data.args;
	enum hx_syscall_class class = hx_policy_decide(t->policy, r->data.arch, nr, a, name, size);

	if (class != HX_SC_KILL_CHECK)
		return class;
	switch (hx_killcheck_target(t, (pid_t)r->pid, nr, a)) {
	case HX_KILL_OK:
		break;
	case HX_KILL_GONE:
		*errnum = ESRCH;
		return HX_SC_ERRNO;
	case HX_KILL_OUTSIDE: {
		const char *sc = hx_syscall_name(nr);

		snprintf(name, size, "%s(a process outside the run)", sc ? sc : "kill");
		return HX_SC_DENY;
	}
	}
	return class;
}

/* Records the call's events. Returns false when they were dropped: what
 * we read may belong to another task if this one died and its pid was
 * reused; the notification is stale then and needs no answer. */
static bool record(struct hx_tracer *t, int fd, const struct seccomp_notif *r)
{
	pid_t tid = (pid_t)r->pid;
	int nr = r->data.nr;
	const uint64_t *a = (const uint64_t *)r->data.args;
	struct hx_thread *th;
	struct hx_tracee *p = hx_pidmap_of_tid(t, tid, &th);

	if (!p || !th)
		return true;
	if (nr == SYS_rt_sigreturn) {
		hx_call_sigreturn(th, tid);
		return true;
	}
	if (hx_call_restarted(th, nr, r->data.instruction_pointer, a))
		return true;
	size_t before = t->nevents;

	hx_call_pipe_fds(t, p, tid);
	t->event_args_only = hx_call_described_by_registers(nr);
	hx_call_trace(t, p, tid, nr, a);
	if (t->nevents > before && !t->event_args_only && seccomp_notify_id_valid(fd, r->id) != 0) {
		hx_trace_event_drop_last(t);
		return false;
	}
	return true;
}

int hx_tracer_handle(struct hx_tracer *t, int fd)
{
	struct seccomp_notif *r = t->req;
	char name[96];

	/* Stale fields make the kernel refuse the next receive. */
	memset(r, 0, sizeof(*r));
	if (seccomp_notify_receive(fd, r) < 0) {
		/* ENOENT: the task went away before we got its notification;
		 * EINTR: a signal. Neither is an error of the listener. */
		if (errno == ENOENT || errno == EINTR)
			return 0;
		return -errno;
	}
	pid_t tid = (pid_t)r->pid;
	int nr = r->data.nr;

	int errnum = 0;
	enum hx_syscall_class class = classify(t, r, name, sizeof(name), &errnum);

	if (class == HX_SC_DENY) {
		deny(t, name);
		respond(t, fd, r->id, EPERM);
		return 0;
	}
	if (class == HX_SC_PERMIT) {
		respond(t, fd, r->id, 0);
		return 0;
	}
	t->cur_tid = tid;
	if (nr == SYS_mmap && (t->policy & HX_POLICY_RLIMIT_AS)) {
		/* what the process would have with this mapping */
		unsigned long asked = hx_proc_vm_kb(tid) + (unsigned long)(r->data.args[1] / 1024);

		if (asked > t->vm_asked_kb)
			t->vm_asked_kb = asked;
	}
	if (t->created)
		hx_created_note(t->created, fd, r->id, tid, nr, (const uint64_t *)r->data.args);
	if (nr == SYS_exit_group && (t->trace & HX_TRACE_FDS))
		hx_exitfds_record(t, fd, r);
	if (t->trace && !record(t, fd, r))
		return 0;
	if (class == HX_SC_ERRNO) {
		respond(t, fd, r->id, errnum);
		return 0;
	}
	if (class == HX_SC_SLEEP && hx_timescale_hold(t, fd, r))
		return 0;
	if (class == HX_SC_START_GATE) {
		/* A newborn's first call (start gate, jitter.c). */
		bool release;
		pid_t gated_by = hx_gate_arrive(t, tid, &release);

		if (!gated_by) {
			respond(t, fd, r->id, 0);
			return 0;
		}
		respond_later(t, fd, r->id, tid, gated_by);
		if (release) {
			hx_jitter_open_gate(&t->jit, gated_by);
			release_gated(t, fd);
		}
		return 0;
	}
	if (t->jit.max_us) {
		/* Any other call of a parent may let its children go; a fork
		 * starts the next batch. */
		if (hx_gate_parent_call(t, tid, hx_call_is_fork(nr)))
			release_gated(t, fd);
		respond_later(t, fd, r->id, tid, 0);
	} else {
		respond(t, fd, r->id, 0);
	}
	return 0;
}

/* ---- the result ------------------------------------------------------------- */

bool hx_tracer_denied_any(const struct hx_tracer *t)
{
	return t->ndenied > 0;
}

unsigned long hx_tracer_vm_asked_kb(const struct hx_tracer *t)
{
	return t->vm_asked_kb;
}
