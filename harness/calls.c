/*
 * calls.c - what a traced call means, at the level the student wrote it.
 *
 * One notification is one system call; one event is one call of the C
 * library as the student wrote it. glibc's fork() is a clone with
 * particular flags; sem_open is an openat, an mmap, a link and an unlink
 * of files under /dev/shm: one `sem_open` event; execvp tries one execve
 * per PATH entry: one `execve` event. Calls that glibc makes in several
 * steps keep their state in struct hx_call_state (trace.h), and any
 * other event of the process ends such a sequence.
 *
 * Every group counts the same calls whether hot calls are traced or not
 * (the table `group_calls` below, which SPEC.md's table of groups is
 * tested against): the hot calls have their own groups (futex, io, hot).
 *
 * A call the kernel restarts after a signal is notified again: the
 * kernel rewinds the instruction pointer to the syscall instruction and
 * puts the call's number back, exactly when a signal interrupted it. With
 * a handler, the handler returns through rt_sigreturn, whose saved context
 * then holds that rewound state (hx_call_sigreturn); the thread's next
 * notification, the same call at the same place with the same arguments,
 * is the restart and is not counted again (hx_call_restarted).
 *
 * The one restart this does not see: a blocking call interrupted by a
 * signal that runs no handler (SIGSTOP then SIGCONT, or a stop by the
 * terminal) is restarted without an rt_sigreturn, and counts twice. No
 * fixture or course program does that; a non-blocking call (a WNOHANG
 * wait) can never be restarted, so it always counts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

bool hx_call_is_fork(int nr)
{
	return nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork;
}

bool hx_call_described_by_registers(int nr)
{
	switch (nr) {
	case SYS_futex: case SYS_semop: case SYS_semtimedop: case SYS_mq_timedsend:
	case SYS_mq_timedreceive: case SYS_msgsnd: case SYS_msgrcv:
	case SYS_clone: case SYS_fork: case SYS_vfork: case SYS_wait4: case SYS_waitid:
	case SYS_kill: case SYS_tgkill: case SYS_tkill: case SYS_pipe: case SYS_pipe2:
	case SYS_shmget: case SYS_shmat: case SYS_shmdt: case SYS_shmctl: case SYS_semget:
	case SYS_semctl: case SYS_msgget: case SYS_msgctl: case SYS_socketpair: case SYS_socket:
	case SYS_poll:
		return true;
	default:
		return false;
	}
}

/* ---- the groups ----------------------------------------------------------- */

#define CALLS(...) (const char *const[]){ __VA_ARGS__, NULL }
static const char *const *const group_calls[HX_GROUP_COUNT] = {
	[HX_GROUP_FORK] = CALLS("fork", "vfork", "clone"),
	[HX_GROUP_THREAD] = CALLS("pthread_create"),
	[HX_GROUP_EXEC] = CALLS("execve"),
	[HX_GROUP_WAIT] = CALLS("wait4", "waitid"),
	[HX_GROUP_KILL] = CALLS("kill", "tgkill", "tkill"),
	[HX_GROUP_PIPE] = CALLS("pipe", "pipe2", "mkfifo"),
	[HX_GROUP_SHM] = CALLS("shm_open", "shm_unlink", "shmget", "shmat", "shmdt", "shmctl", "mmap"),
	[HX_GROUP_SEM] = CALLS("sem_open", "sem_unlink", "semget", "semctl"),
	[HX_GROUP_MQ] = CALLS("mq_open", "mq_unlink", "mq_notify", "msgget", "msgctl"),
	[HX_GROUP_SOCKET] = CALLS("socketpair", "socket"),
	[HX_GROUP_SLEEP] = CALLS("nanosleep", "clock_nanosleep", "select", "poll", "epoll_wait"),
	[HX_GROUP_FUTEX] = CALLS("futex"),
	[HX_GROUP_IO] = CALLS("read", "write", "readv", "writev"),
	[HX_GROUP_HOT] = CALLS("semop", "mq_send", "mq_receive", "msgsnd", "msgrcv", "futex", "read",
			       "write", "readv", "writev"),
};

const char *const *hx_group_calls(enum hx_group g)
{
	return (unsigned)g < HX_GROUP_COUNT ? group_calls[g] : NULL;
}

bool hx_group_is_hot(enum hx_group g)
{
	return g == HX_GROUP_FUTEX || g == HX_GROUP_IO || g == HX_GROUP_HOT;
}

/* ---- events --------------------------------------------------------------- */

static void count_call(struct hx_tracer *t, const char *call, int delta)
{
	size_t i;

	for (i = 0; i < t->ncalls; i++)
		if (t->calls[i].call == call || strcmp(t->calls[i].call, call) == 0)
			break;
	if (i == t->ncalls) {
		struct hx_call_count *arr = hx_grow(t->calls, &t->ccalls, t->ncalls + 1, sizeof(*arr));

		if (!arr)
			return;
		t->calls = arr;
		arr[i].call = call;
		arr[i].count = 0;
		t->ncalls++;
	}
	t->calls[i].count += (unsigned)delta;
}

/* An event of p (its detail formatted; HX_REF in it is replaced by the box
 * pid of ref when the events are exported). */
static void add_event(struct hx_tracer *t, struct hx_tracee *p, const char *call,
		      enum hx_group g, pid_t ref, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add_event(struct hx_tracer *t, struct hx_tracee *p, const char *call,
		      enum hx_group g, pid_t ref, const char *fmt, ...)
{
	va_list ap;
	char *detail = NULL;

	t->counts[g]++;
	count_call(t, call, 1);
	/* Anything else this process does ends a sem_open sequence, and an
	 * execvp's run of attempts. */
	if (g != HX_GROUP_SEM)
		p->calls.sem_probe[0] = '\0';
	p->calls.exec_open = false;
	if (g == HX_GROUP_FORK)
		p->forks++;
	if (t->nevents >= HX_MAX_EVENTS) {
		t->events_truncated = true;
		return;
	}
	struct hx_trace_event *arr = hx_grow(t->events, &t->cevents, t->nevents + 1, sizeof(*arr));

	if (!arr)
		return;
	t->events = arr;
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	struct hx_trace_event *e = &t->events[t->nevents++];

	memset(e, 0, sizeof(*e));
	e->t_us = hx_now_us();
	e->proc = hx_pidmap_index(t, p);
	e->call = call;
	e->group = g;
	e->detail = detail;
	e->ref = ref;
}

void hx_call_drop_last(struct hx_tracer *t)
{
	struct hx_trace_event *e = &t->events[--t->nevents];

	t->counts[e->group]--;
	count_call(t, e->call, -1);
	if (e->group == HX_GROUP_FORK && t->pm.procs[e->proc].forks)
		t->pm.procs[e->proc].forks--;
	t->sleep_us -= e->sleep_us;
	free(e->detail);
}

/* ---- POSIX objects: files under /dev/shm -------------------------------- */

#define SHM_DIR "/dev/shm/"
#define SHM_DIR_LEN (sizeof(SHM_DIR) - 1)

/* glibc's sem_open opens an existing "sem.NAME" without O_CREAT; it makes a
 * new one as a temp file "sem.XXXXXX" (always with O_CREAT), then links it
 * to "sem.NAME". So an O_CREAT open under sem.* is never the event. */
static bool is_sem_temp(unsigned long flags)
{
	return (flags & O_CREAT) != 0;
}

static void trace_open(struct hx_tracer *t, struct hx_tracee *p, const char *path, unsigned long flags)
{
	char q[300], f[160];

	if (strncmp(path, SHM_DIR, SHM_DIR_LEN) != 0)
		return;
	const char *name = path + SHM_DIR_LEN;

	hx_format_open_flags(flags, f, sizeof(f));
	if (strncmp(name, "sem.", 4) == 0) {
		if (is_sem_temp(flags)) {
			snprintf(p->calls.sem_tmp, sizeof(p->calls.sem_tmp), "%s", name);
			return;
		}
		char full[80];

		snprintf(full, sizeof(full), "/%s", name + 4);
		hx_quote(full, q, sizeof(q));
		add_event(t, p, "sem_open", HX_GROUP_SEM, 0, "%s, %s", q, f);
		snprintf(p->calls.sem_probe, sizeof(p->calls.sem_probe), "%s", name);
		return;
	}
	char full[300];

	snprintf(full, sizeof(full), "/%s", name);
	hx_quote(full, q, sizeof(q));
	add_event(t, p, "shm_open", HX_GROUP_SHM, 0, "%s, %s", q, f);
}

static void trace_unlink(struct hx_tracer *t, struct hx_tracee *p, const char *path)
{
	char q[300], full[300];

	if (strncmp(path, SHM_DIR, SHM_DIR_LEN) != 0)
		return;
	const char *name = path + SHM_DIR_LEN;

	if (p->calls.sem_tmp[0] && strcmp(name, p->calls.sem_tmp) == 0) {
		p->calls.sem_tmp[0] = '\0';	/* glibc's sem_open cleaning up */
		return;
	}
	bool sem = strncmp(name, "sem.", 4) == 0;

	snprintf(full, sizeof(full), "/%s", sem ? name + 4 : name);
	hx_quote(full, q, sizeof(q));
	add_event(t, p, sem ? "sem_unlink" : "shm_unlink", sem ? HX_GROUP_SEM : HX_GROUP_SHM, 0, "%s", q);
}

static void trace_link(struct hx_tracer *t, struct hx_tracee *p, const char *newpath)
{
	char q[300], full[80];

	if (strncmp(newpath, SHM_DIR "sem.", SHM_DIR_LEN + 4) != 0)
		return;
	const char *name = newpath + SHM_DIR_LEN;

	/* The create path of a sem_open whose probe we already counted. */
	if (p->calls.sem_probe[0] && strcmp(p->calls.sem_probe, name) == 0) {
		p->calls.sem_probe[0] = '\0';
		return;
	}
	snprintf(full, sizeof(full), "/%s", name + 4);
	hx_quote(full, q, sizeof(q));
	add_event(t, p, "sem_open", HX_GROUP_SEM, 0, "%s, O_CREAT|O_EXCL", q);
}

/* A read or write of hot tracing: an event when fd is a pipe, a FIFO or a
 * socket between box processes. */
static void trace_io(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, const char *call,
		     int fd, unsigned long len)
{
	unsigned long ino = 0;
	bool cached;
	char fifo[PATH_MAX], q[PATH_MAX + 8];
	enum hx_fd_kind kind = hx_fdcache_lookup(t, p, tid, fd, &ino, &cached, fifo, sizeof(fifo));

	if (kind != HX_FD_PIPE && kind != HX_FD_SOCKET && kind != HX_FD_FIFO)
		return;
	t->event_args_only = cached;
	if (kind == HX_FD_FIFO) {
		hx_quote(fifo, q, sizeof(q));
		add_event(t, p, call, HX_GROUP_IO, 0, "fd %d (fifo %s), %lu bytes", fd, q, len);
		return;
	}
	add_event(t, p, call, HX_GROUP_IO, 0, "fd %d (%s:[%lu]), %lu bytes", fd,
		  kind == HX_FD_PIPE ? "pipe" : "socket", ino, len);
}

/* ---- the calls ------------------------------------------------------------ */

/*
 * A child is learned at its first notified call, which glibc's fork child
 * makes at once; one that never makes one (killed before it ran, or a raw
 * clone that exits by a signal) is learned from its parent's children
 * list, read when the parent waits, signals or exits with forks the
 * table has not seen born: once per such fork, never for every call.
 * Returns p, which learning may have moved.
 */
static struct hx_tracee *learn_unseen_children(struct hx_tracer *t, struct hx_tracee *p)
{
	if (p->forks <= p->children || p->forks <= p->forks_seen)
		return p;
	size_t i = hx_pidmap_index(t, p);

	p->forks_seen = p->forks;
	hx_pidmap_learn_children(t, p->host_pid);
	return &t->pm.procs[i];
}

/* fork, exec, wait, kill: the process calls. */
static bool trace_process(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
			  const uint64_t *a)
{
	char path[PATH_MAX], q[PATH_MAX + 8], f[256];

	switch (nr) {
	case SYS_clone:
		hx_format_clone_flags(a[0], f, sizeof(f));
		/* Named as the student wrote it: glibc's fork() is clone with
		 * exactly these flags; posix_spawn/system use CLONE_VFORK. */
		if (a[0] & CLONE_THREAD)
			add_event(t, p, "pthread_create", HX_GROUP_THREAD, 0, "clone(%s)", f);
		else if (a[0] & CLONE_VFORK)
			add_event(t, p, "vfork", HX_GROUP_FORK, 0, "clone(%s)", f);
		else if ((a[0] & ~0xfful) == (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			add_event(t, p, "fork", HX_GROUP_FORK, 0, "clone(%s)", f);
		else
			add_event(t, p, "clone", HX_GROUP_FORK, 0, "clone(%s)", f);
		break;
	case SYS_fork:
		add_event(t, p, "fork", HX_GROUP_FORK, 0, "%s", "");
		break;
	case SYS_vfork:
		add_event(t, p, "vfork", HX_GROUP_FORK, 0, "%s", "");
		break;
	case SYS_execve:
	case SYS_execveat: {
		uint64_t addr = nr == SYS_execve ? a[0] : a[1];

		if (!hx_read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		/* The last program it runs (an attempt that fails is followed
		 * by the next one of execvp, or by its exit). */
		free(p->exec);
		p->exec = hx_strdup(path);
		p->comm_stale = true;
		/* The first process's own exec is the harness's doing. */
		if (!t->first_exec_seen && hx_pidmap_index(t, p) == 0) {
			t->first_exec_seen = true;
			return true;
		}
		hx_quote(path, q, sizeof(q));
		if (p->calls.exec_open && p->calls.exec_argv == a[nr == SYS_execve ? 1 : 2] &&
		    p->calls.exec_envp == a[nr == SYS_execve ? 2 : 3] && p->calls.exec_event < t->nevents) {
			/* The previous attempt failed; this one is the same call. */
			free(t->events[p->calls.exec_event].detail);
			t->events[p->calls.exec_event].detail = hx_strdup(q);
			break;
		}
		size_t before = t->nevents;

		add_event(t, p, "execve", HX_GROUP_EXEC, 0, "%s", q);
		p->calls.exec_open = t->nevents > before;
		p->calls.exec_argv = a[nr == SYS_execve ? 1 : 2];
		p->calls.exec_envp = a[nr == SYS_execve ? 2 : 3];
		p->calls.exec_event = t->nevents - 1;
		break;
	}
	case SYS_wait4: {
		int pid = (int)a[0];

		p = learn_unseen_children(t, p);
		const char *nohang = (a[2] & WNOHANG) ? ", WNOHANG" : "";

		if (pid == -1)
			add_event(t, p, "wait4", HX_GROUP_WAIT, 0, "any child%s", nohang);
		else if (pid > 0)
			add_event(t, p, "wait4", HX_GROUP_WAIT, pid, "pid " HX_REF "%s", nohang);
		else
			add_event(t, p, "wait4", HX_GROUP_WAIT, 0, "process group %d%s", -pid, nohang);
		break;
	}
	case SYS_waitid:
		p = learn_unseen_children(t, p);
		add_event(t, p, "waitid", HX_GROUP_WAIT, 0, "%s%s",
			  a[0] == P_ALL ? "any child" : a[0] == P_PID ? "one child" : "a group",
			  (a[3] & WNOHANG) ? ", WNOHANG" : "");
		break;
	case SYS_kill: {
		int pid = (int)a[0];

		p = learn_unseen_children(t, p);
		if (pid > 0)
			add_event(t, p, "kill", HX_GROUP_KILL, pid, "pid " HX_REF ", %s", hx_signal_name((int)a[1]));
		else
			add_event(t, p, "kill", HX_GROUP_KILL, 0, "%d, %s", pid, hx_signal_name((int)a[1]));
		break;
	}
	case SYS_tgkill:
		p = learn_unseen_children(t, p);
		add_event(t, p, "tgkill", HX_GROUP_KILL, (pid_t)a[0], "pid " HX_REF ", %s",
			  hx_signal_name((int)a[2]));
		break;
	case SYS_set_robust_list:
		/* A new thread's or process's first call: the table learned
		 * it; not an event. */
		break;
	case SYS_tkill:
		add_event(t, p, "tkill", HX_GROUP_KILL, 0, "tid %d, %s", (int)a[0],
			  hx_signal_name((int)a[1]));
		break;
	default:
		return false;
	}
	return true;
}

/* Pipes and FIFOs, sockets, and the POSIX objects: files of /dev/shm and
 * message queues. */
static bool trace_named(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
			const uint64_t *a)
{
	char path[PATH_MAX], q[PATH_MAX + 8], f[256];

	switch (nr) {
	case SYS_pipe:
	case SYS_pipe2: {
		size_t before = t->nevents;

		if (nr == SYS_pipe2 && a[1])
			hx_format_open_flags(a[1], f, sizeof(f));
		add_event(t, p, nr == SYS_pipe ? "pipe" : "pipe2", HX_GROUP_PIPE, 0, "%s",
			  nr == SYS_pipe2 && a[1] ? f : "");
		if (t->nevents > before) {
			p->calls.pipe_open = true;
			p->calls.pipe_tid = tid;
			p->calls.pipe_addr = a[0];
			p->calls.pipe_event = before;
		}
		break;
	}
	case SYS_mknod:
	case SYS_mknodat: {
		uint64_t addr = nr == SYS_mknod ? a[0] : a[1];

		if (!hx_read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		hx_quote(path, q, sizeof(q));
		add_event(t, p, "mkfifo", HX_GROUP_PIPE, 0, "%s, 0%lo", q,
			  (unsigned long)(nr == SYS_mknod ? a[1] : a[2]) & 0777);
		break;
	}
	case SYS_mq_open: {
		char name[300];

		if (!hx_read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		/* glibc passes the name without its leading slash */
		snprintf(name, sizeof(name), "/%s", path);
		hx_quote(name, q, sizeof(q));
		hx_format_open_flags(a[1], f, sizeof(f));
		add_event(t, p, "mq_open", HX_GROUP_MQ, 0, "%s, %s", q, f);
		break;
	}
	case SYS_mq_unlink: {
		char name[300];

		if (!hx_read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		snprintf(name, sizeof(name), "/%s", path);
		hx_quote(name, q, sizeof(q));
		add_event(t, p, "mq_unlink", HX_GROUP_MQ, 0, "%s", q);
		break;
	}
	case SYS_socketpair:
		add_event(t, p, "socketpair", HX_GROUP_SOCKET, 0, "AF_UNIX, %s",
			  hx_socket_type_name((unsigned long)a[1]));
		break;
	case SYS_socket:
		/* Only AF_UNIX is traced; glibc's mq_notify helper's netlink
		 * socket (full isolation) is part of its mq_notify. */
		if (a[0] == AF_UNIX)
			add_event(t, p, "socket", HX_GROUP_SOCKET, 0, "AF_UNIX, %s",
				  hx_socket_type_name((unsigned long)a[1]));
		break;
	case SYS_open:
	case SYS_creat:
	case SYS_openat:
	case SYS_openat2: {
		uint64_t addr = (nr == SYS_open || nr == SYS_creat) ? a[0] : a[1];
		unsigned long flags = nr == SYS_open ? a[1] : nr == SYS_openat ? a[2] :
				      nr == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : 0;

		if (nr == SYS_openat2) {
			struct open_how how;

			if (hx_proc_read_mem(tid, a[2], &how, sizeof(how.flags)) == sizeof(how.flags))
				flags = (unsigned long)how.flags;
		}
		if (hx_read_path(tid, addr, path, sizeof(path)))
			trace_open(t, p, path, flags);
		break;
	}
	case SYS_unlink:
	case SYS_unlinkat:
		if (hx_read_path(tid, nr == SYS_unlink ? a[0] : a[1], path, sizeof(path)))
			trace_unlink(t, p, path);
		break;
	case SYS_link:
	case SYS_linkat:
		if (hx_read_path(tid, nr == SYS_link ? a[1] : a[3], path, sizeof(path)))
			trace_link(t, p, path);
		break;
	case SYS_mmap: {
		unsigned long len = (unsigned long)a[1], prot = (unsigned long)a[2], flags = (unsigned long)a[3];
		int fd = (int)a[4];

		/* Shared memory means sharing: anonymous shared mappings (kept
		 * across fork), /dev/shm objects, and writable shared mappings of
		 * files; never a read-only shared mapping of a file, which is how
		 * glibc maps its caches (gconv-modules.cache for setlocale).
		 * Private mappings are notified for the memory limit only. */
		if (!(flags & MAP_SHARED))
			break;
		if (flags & MAP_ANONYMOUS) {
			add_event(t, p, "mmap", HX_GROUP_SHM, 0, "MAP_SHARED|MAP_ANONYMOUS, %lu bytes", len);
			break;
		}
		if (hx_proc_fd_link(tid, fd, path, sizeof(path)) < 0)
			snprintf(path, sizeof(path), "?");
		/* A named semaphore's mapping is part of its sem_open. */
		if (strncmp(path, SHM_DIR "sem.", SHM_DIR_LEN + 4) == 0)
			break;
		if (!(prot & PROT_WRITE) && strncmp(path, SHM_DIR, SHM_DIR_LEN) != 0)
			break;
		hx_quote(path, q, sizeof(q));
		add_event(t, p, "mmap", HX_GROUP_SHM, 0, "MAP_SHARED, %s, fd %d (%s), %lu bytes",
			  (prot & PROT_WRITE) ? "PROT_WRITE" : "read-only", fd, q, len);
		break;
	}
	case SYS_mq_notify: {
		struct sigevent ev;
		const char *how = "removes the notification";

		if (a[1]) {
			how = "?";
			if (hx_proc_read_mem(tid, a[1], &ev, sizeof(ev)) == (ssize_t)sizeof(ev))
				how = ev.sigev_notify == SIGEV_THREAD ? "SIGEV_THREAD" :
				      ev.sigev_notify == SIGEV_SIGNAL ? "SIGEV_SIGNAL" :
				      ev.sigev_notify == SIGEV_NONE ? "SIGEV_NONE" : "?";
		}
		add_event(t, p, "mq_notify", HX_GROUP_MQ, 0, "mqd %d, %s", (int)a[0], how);
		break;
	}
	default:
		return false;
	}
	return true;
}

/* System V shared memory, semaphores and message queues (setup calls). */
static bool trace_sysv(struct hx_tracer *t, struct hx_tracee *p, int nr, const uint64_t *a)
{
	char f[256], k[32];

	switch (nr) {
	case SYS_shmget:
		hx_format_ipc_flags(a[2], f, sizeof(f));
		add_event(t, p, "shmget", HX_GROUP_SHM, 0, "%s, %lu bytes, %s",
			  hx_format_ipc_key(a[0], k, sizeof(k)), (unsigned long)a[1], f);
		break;
	case SYS_shmat:
		add_event(t, p, "shmat", HX_GROUP_SHM, 0, "id %d", (int)a[0]);
		break;
	case SYS_shmdt:
		add_event(t, p, "shmdt", HX_GROUP_SHM, 0, "%#lx", (unsigned long)a[0]);
		break;
	case SYS_shmctl:
		add_event(t, p, "shmctl", HX_GROUP_SHM, 0, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
		break;
	case SYS_semget:
		hx_format_ipc_flags(a[2], f, sizeof(f));
		add_event(t, p, "semget", HX_GROUP_SEM, 0, "%s, %d semaphores, %s",
			  hx_format_ipc_key(a[0], k, sizeof(k)), (int)a[1], f);
		break;
	case SYS_semctl:
		add_event(t, p, "semctl", HX_GROUP_SEM, 0, "id %d, semaphore %d, %s", (int)a[0], (int)a[1],
			  hx_ipc_cmd_name(a[2]));
		break;
	case SYS_msgget:
		hx_format_ipc_flags(a[1], f, sizeof(f));
		add_event(t, p, "msgget", HX_GROUP_MQ, 0, "%s, %s", hx_format_ipc_key(a[0], k, sizeof(k)), f);
		break;
	case SYS_msgctl:
		add_event(t, p, "msgctl", HX_GROUP_MQ, 0, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
		break;
	default:
		return false;
	}
	return true;
}

/* The hot calls (HX_TRACE_HOT only): I/O, futexes, semop, message passing. */
static bool trace_hot(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
		      const uint64_t *a)
{
	switch (nr) {
	case SYS_read:
	case SYS_readv:
		trace_io(t, p, tid, nr == SYS_read ? "read" : "readv", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_write:
	case SYS_writev:
		trace_io(t, p, tid, nr == SYS_write ? "write" : "writev", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_futex:
		add_event(t, p, "futex", HX_GROUP_FUTEX, 0, "%#lx, %s", (unsigned long)a[0],
			  hx_futex_op_name((unsigned long)a[1]));
		break;
	case SYS_semop:
	case SYS_semtimedop:
		add_event(t, p, "semop", HX_GROUP_HOT, 0, "id %d, %d operations", (int)a[0], (int)a[2]);
		break;
	case SYS_mq_timedsend:
		add_event(t, p, "mq_send", HX_GROUP_HOT, 0, "mqd %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_mq_timedreceive:
		add_event(t, p, "mq_receive", HX_GROUP_HOT, 0, "mqd %d", (int)a[0]);
		break;
	case SYS_msgsnd:
		add_event(t, p, "msgsnd", HX_GROUP_HOT, 0, "id %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_msgrcv:
		add_event(t, p, "msgrcv", HX_GROUP_HOT, 0, "id %d", (int)a[0]);
		break;
	default:
		return false;
	}
	return true;
}

/* ---- sleeps ----------------------------------------------------------------- */

static uint64_t timespec_us(pid_t tid, uint64_t addr, bool *ok)
{
	struct timespec ts;

	*ok = addr && hx_proc_read_mem(tid, addr, &ts, sizeof(ts)) == (ssize_t)sizeof(ts) &&
	      ts.tv_sec >= 0 && ts.tv_nsec >= 0;
	return *ok ? (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u : 0;
}

static uint64_t timeval_us(pid_t tid, uint64_t addr, bool *ok)
{
	struct timeval tv;

	*ok = addr && hx_proc_read_mem(tid, addr, &tv, sizeof(tv)) == (ssize_t)sizeof(tv) &&
	      tv.tv_sec >= 0 && tv.tv_usec >= 0;
	return *ok ? (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec : 0;
}

/* Whether an epoll instance of the tracee watches no fd: its fdinfo has
 * no "tfd:" line. */
static bool epoll_empty(pid_t tid, int epfd)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, epfd);
	return hx_read_file(path, buf, sizeof(buf)) > 0 && !strstr(buf, "tfd:");
}

/*
 * The sleep group: nanosleep and clock_nanosleep (sleep, usleep), and the
 * waits that wait for nothing but time: poll, select and epoll with no fd
 * and a timeout (the policy notifies those with no fds only). The time
 * each requests is summed (an absolute clock_nanosleep: from now).
 */
static bool trace_sleep(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	const char *call;
	uint64_t us = 0;
	bool ok = true;

	switch (nr) {
	case SYS_nanosleep:
		call = "nanosleep";
		us = timespec_us(tid, a[0], &ok);
		break;
	case SYS_clock_nanosleep:
		call = "clock_nanosleep";
		us = timespec_us(tid, a[2], &ok);
		if (ok && (a[1] & TIMER_ABSTIME)) {
			struct timespec now;
			uint64_t now_us = 0;

			if (clock_gettime((clockid_t)a[0], &now) == 0)
				now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
			us = us > now_us ? us - now_us : 0;
		}
		break;
	case SYS_select:
		call = "select";
		us = timeval_us(tid, a[4], &ok);
		break;
	case SYS_pselect6:
		call = "select";
		us = timespec_us(tid, a[4], &ok);
		break;
	case SYS_poll:
		call = "poll";
		ok = (int)a[2] > 0;
		us = ok ? (uint64_t)(int)a[2] * 1000u : 0;
		break;
	case SYS_ppoll:
		call = "poll";
		us = timespec_us(tid, a[2], &ok);
		break;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		call = "epoll_wait";
		ok = (int)a[3] > 0 && epoll_empty(tid, (int)a[0]);
		us = ok ? (uint64_t)(int)a[3] * 1000u : 0;
		break;
	case SYS_epoll_pwait2:
		call = "epoll_wait";
		us = timespec_us(tid, a[3], &ok);
		ok = ok && epoll_empty(tid, (int)a[0]);
		break;
	default:
		return false;
	}
	/* A sleep call always counts; a poll, select or epoll wait only when
	 * it waits for a time and nothing else. */
	bool sleep_call = nr == SYS_nanosleep || nr == SYS_clock_nanosleep;

	if (!sleep_call && (!ok || us == 0))
		return true;
	size_t before = t->nevents;

	add_event(t, p, call, HX_GROUP_SLEEP, 0, "%llu.%03llu ms", (unsigned long long)(us / 1000),
		  (unsigned long long)(us % 1000));
	t->sleep_us += us;
	if (t->nevents > before)
		t->events[t->nevents - 1].sleep_us = us;
	return true;
}

void hx_call_pipe_fds(struct hx_tracer *t, struct hx_tracee *p, pid_t tid)
{
	int fds[2];
	struct hx_trace_event *e;
	char *detail = NULL;

	if (!p->calls.pipe_open || (tid && tid != p->calls.pipe_tid))
		return;
	p->calls.pipe_open = false;
	if (p->calls.pipe_event >= t->nevents)
		return;		/* dropped as stale */
	e = &t->events[p->calls.pipe_event];
	if (e->proc != hx_pidmap_index(t, p) || strncmp(e->call, "pipe", 4) != 0 ||
	    hx_proc_read_mem(p->calls.pipe_tid, p->calls.pipe_addr, fds, sizeof(fds)) != (ssize_t)sizeof(fds) ||
	    fds[0] < 0 || fds[1] < 0 || fds[0] == fds[1])
		return;
	if (asprintf(&detail, "%s%s-> [%d, %d]", e->detail ? e->detail : "",
		     e->detail && *e->detail ? " " : "", fds[0], fds[1]) < 0)
		return;
	free(e->detail);
	e->detail = detail;
}

void hx_call_trace(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	hx_fdcache_forget(t, p, nr, a);
	if (!trace_process(t, p, tid, nr, a) && !trace_named(t, p, tid, nr, a) &&
	    !trace_sysv(t, p, nr, a) && !trace_sleep(t, p, tid, nr, a))
		trace_hot(t, p, tid, nr, a);
}

/* ---- restarts ----------------------------------------------------------------- */

bool hx_call_restarted(struct hx_thread *th, int nr, uint64_t ip, const uint64_t *a)
{
	bool same = th->restart && th->restart_nr == nr && th->restart_ip == ip &&
		    memcmp(th->restart_args, a, sizeof(th->restart_args)) == 0;

	th->restart = false;
	return same;
}

/* The registers of x86-64's struct sigcontext, from r8 to rip: the saved
 * context sits at offset 40 of the ucontext (after uc_flags, uc_link and
 * uc_stack). */
enum { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, NREGS };
#define UC_MCONTEXT 40

/*
 * A handler returns through rt_sigreturn with the stack pointer at the
 * ucontext the kernel saved when it delivered the signal. When the signal
 * interrupted a call that the kernel restarts (-ERESTARTSYS with
 * SA_RESTART, -ERESTARTNOINTR), that context has rip rewound to the
 * syscall instruction and rax holding the call's number again, while rcx
 * still holds the address after the syscall instruction, as every
 * syscall entry leaves it, and the argument registers hold the call's
 * arguments. The thread's next notification is then that very call. (Code
 * interrupted by chance exactly at a syscall instruction, with rcx still
 * holding that address from an identical call just before, would look
 * the same: its call would go uncounted.)
 */
void hx_call_sigreturn(struct hx_thread *th, pid_t tid)
{
	struct hx_syscall_state sc;
	uint64_t r[NREGS];

	th->restart = false;
	if (hx_read_syscall(tid, tid, &sc) < 0 || sc.nr != SYS_rt_sigreturn || !sc.sp)
		return;
	if (hx_proc_read_mem(tid, sc.sp + UC_MCONTEXT, r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	if (r[RCX] != r[RIP] + 2 || r[RAX] > INT_MAX)
		return;
	th->restart = true;
	th->restart_nr = (int)r[RAX];
	th->restart_ip = r[RCX];
	th->restart_args[0] = r[RDI];
	th->restart_args[1] = r[RSI];
	th->restart_args[2] = r[RDX];
	th->restart_args[3] = r[R10];
	th->restart_args[4] = r[R8];
	th->restart_args[5] = r[R9];
}
