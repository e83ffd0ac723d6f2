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
 * This file holds the process calls (fork, exec, wait, kill), the named
 * objects (pipes, FIFOs, sockets, /dev/shm, queues) and System V setup
 * calls, and dispatches the rest: the sleep group to calls_sleep.c, the
 * hot calls to calls_hot.c. Events are recorded by trace_events.c;
 * restarted calls are told apart by calls_restart.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
		hx_trace_event_add(t, p, "sem_open", HX_GROUP_SEM, 0, "%s, %s", q, f);
		snprintf(p->calls.sem_probe, sizeof(p->calls.sem_probe), "%s", name);
		return;
	}
	char full[300];

	snprintf(full, sizeof(full), "/%s", name);
	hx_quote(full, q, sizeof(q));
	hx_trace_event_add(t, p, "shm_open", HX_GROUP_SHM, 0, "%s, %s", q, f);
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
	hx_trace_event_add(t, p, sem ? "sem_unlink" : "shm_unlink", sem ? HX_GROUP_SEM : HX_GROUP_SHM, 0, "%s", q);
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
	hx_trace_event_add(t, p, "sem_open", HX_GROUP_SEM, 0, "%s, O_CREAT|O_EXCL", q);
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
			hx_trace_event_add(t, p, "pthread_create", HX_GROUP_THREAD, 0, "clone(%s)", f);
		else if (a[0] & CLONE_VFORK)
			hx_trace_event_add(t, p, "vfork", HX_GROUP_FORK, 0, "clone(%s)", f);
		else if ((a[0] & ~0xfful) == (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			hx_trace_event_add(t, p, "fork", HX_GROUP_FORK, 0, "clone(%s)", f);
		else
			hx_trace_event_add(t, p, "clone", HX_GROUP_FORK, 0, "clone(%s)", f);
		break;
	case SYS_fork:
		hx_trace_event_add(t, p, "fork", HX_GROUP_FORK, 0, "%s", "");
		break;
	case SYS_vfork:
		hx_trace_event_add(t, p, "vfork", HX_GROUP_FORK, 0, "%s", "");
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

		hx_trace_event_add(t, p, "execve", HX_GROUP_EXEC, 0, "%s", q);
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
			hx_trace_event_add(t, p, "wait4", HX_GROUP_WAIT, 0, "any child%s", nohang);
		else if (pid > 0)
			hx_trace_event_add(t, p, "wait4", HX_GROUP_WAIT, pid, "pid " HX_REF "%s", nohang);
		else
			hx_trace_event_add(t, p, "wait4", HX_GROUP_WAIT, 0, "process group %d%s", -pid, nohang);
		break;
	}
	case SYS_waitid:
		p = learn_unseen_children(t, p);
		hx_trace_event_add(t, p, "waitid", HX_GROUP_WAIT, 0, "%s%s",
				   a[0] == P_ALL ? "any child" : a[0] == P_PID ? "one child" : "a group",
				   (a[3] & WNOHANG) ? ", WNOHANG" : "");
		break;
	case SYS_kill: {
		int pid = (int)a[0];

		p = learn_unseen_children(t, p);
		if (pid > 0)
			hx_trace_event_add(t, p, "kill", HX_GROUP_KILL, pid, "pid " HX_REF ", %s", hx_signal_name((int)a[1]));
		else
			hx_trace_event_add(t, p, "kill", HX_GROUP_KILL, 0, "%d, %s", pid, hx_signal_name((int)a[1]));
		break;
	}
	case SYS_tgkill:
		p = learn_unseen_children(t, p);
		hx_trace_event_add(t, p, "tgkill", HX_GROUP_KILL, (pid_t)a[0], "pid " HX_REF ", %s",
				   hx_signal_name((int)a[2]));
		break;
	case SYS_set_robust_list:
		/* A new thread's or process's first call: the table learned
		 * it; not an event. */
		break;
	case SYS_tkill:
		hx_trace_event_add(t, p, "tkill", HX_GROUP_KILL, 0, "tid %d, %s", (int)a[0],
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
		hx_trace_event_add(t, p, nr == SYS_pipe ? "pipe" : "pipe2", HX_GROUP_PIPE, 0, "%s",
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
		hx_trace_event_add(t, p, "mkfifo", HX_GROUP_PIPE, 0, "%s, 0%lo", q,
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
		hx_trace_event_add(t, p, "mq_open", HX_GROUP_MQ, 0, "%s, %s", q, f);
		break;
	}
	case SYS_mq_unlink: {
		char name[300];

		if (!hx_read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		snprintf(name, sizeof(name), "/%s", path);
		hx_quote(name, q, sizeof(q));
		hx_trace_event_add(t, p, "mq_unlink", HX_GROUP_MQ, 0, "%s", q);
		break;
	}
	case SYS_socketpair:
		hx_trace_event_add(t, p, "socketpair", HX_GROUP_SOCKET, 0, "AF_UNIX, %s",
				   hx_socket_type_name((unsigned long)a[1]));
		break;
	case SYS_socket:
		/* Only AF_UNIX is traced; glibc's mq_notify helper's netlink
		 * socket (full isolation) is part of its mq_notify. */
		if (a[0] == AF_UNIX)
			hx_trace_event_add(t, p, "socket", HX_GROUP_SOCKET, 0, "AF_UNIX, %s",
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
		if (hx_read_path(tid, addr, path, sizeof(path))) {
			trace_open(t, p, path, flags);
			hx_call_note_fifo_open(t, tid, (nr == SYS_open || nr == SYS_creat) ? AT_FDCWD : (int)a[0],
					       path);
		}
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
			hx_trace_event_add(t, p, "mmap", HX_GROUP_SHM, 0, "MAP_SHARED|MAP_ANONYMOUS, %lu bytes", len);
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
		hx_trace_event_add(t, p, "mmap", HX_GROUP_SHM, 0, "MAP_SHARED, %s, fd %d (%s), %lu bytes",
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
		hx_trace_event_add(t, p, "mq_notify", HX_GROUP_MQ, 0, "mqd %d, %s", (int)a[0], how);
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
		hx_trace_event_add(t, p, "shmget", HX_GROUP_SHM, 0, "%s, %lu bytes, %s",
				   hx_format_ipc_key(a[0], k, sizeof(k)), (unsigned long)a[1], f);
		break;
	case SYS_shmat:
		hx_trace_event_add(t, p, "shmat", HX_GROUP_SHM, 0, "id %d", (int)a[0]);
		break;
	case SYS_shmdt:
		hx_trace_event_add(t, p, "shmdt", HX_GROUP_SHM, 0, "%#lx", (unsigned long)a[0]);
		break;
	case SYS_shmctl:
		hx_trace_event_add(t, p, "shmctl", HX_GROUP_SHM, 0, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
		break;
	case SYS_semget:
		hx_format_ipc_flags(a[2], f, sizeof(f));
		hx_trace_event_add(t, p, "semget", HX_GROUP_SEM, 0, "%s, %d semaphores, %s",
				   hx_format_ipc_key(a[0], k, sizeof(k)), (int)a[1], f);
		break;
	case SYS_semctl:
		hx_trace_event_add(t, p, "semctl", HX_GROUP_SEM, 0, "id %d, semaphore %d, %s", (int)a[0], (int)a[1],
				   hx_ipc_cmd_name(a[2]));
		break;
	case SYS_msgget:
		hx_format_ipc_flags(a[1], f, sizeof(f));
		hx_trace_event_add(t, p, "msgget", HX_GROUP_MQ, 0, "%s, %s", hx_format_ipc_key(a[0], k, sizeof(k)), f);
		break;
	case SYS_msgctl:
		hx_trace_event_add(t, p, "msgctl", HX_GROUP_MQ, 0, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
		break;
	default:
		return false;
	}
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
	if (t->trace & HX_TRACE_HOT)
		hx_call_trace_fd(t, p, tid, nr, a);
	hx_fdcache_forget(t, p, nr, a);
	if (!trace_process(t, p, tid, nr, a) && !trace_named(t, p, tid, nr, a) &&
	    !trace_sysv(t, p, nr, a) && !hx_call_trace_sleep(t, p, tid, nr, a))
		hx_call_trace_hot(t, p, tid, nr, a);
}
