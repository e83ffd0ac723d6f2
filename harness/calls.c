/*
 * calls.c - what a traced call means, at the level the student wrote it.
 *
 * One notification is one system call; one event is one call of the C
 * library as the student wrote it. glibc's fork() is a clone with
 * particular flags; sem_open is an openat, an mmap, a link and an unlink
 * of files under /dev/shm: one `sem_open` event; execvp tries one execve
 * per PATH entry: one `execve` event. Calls that glibc makes in several
 * steps keep their state in struct hx_call_state (trace.h), and any
 * other event of the process ends such a sequence. A call the kernel
 * restarts after a signal is notified again and is folded here too.
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
#include <sys/wait.h>

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
		return true;
	default:
		return false;
	}
}

/* ---- events --------------------------------------------------------------- */

static void add_event(struct hx_tracer *t, struct hx_tracee *p, const char *call,
		      enum hx_group g, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_event(struct hx_tracer *t, struct hx_tracee *p, const char *call,
		      enum hx_group g, const char *fmt, ...)
{
	va_list ap;
	char *detail = NULL;

	t->counts[g]++;
	if (p) {
		/* Anything else this process does ends a sem_open sequence,
		 * and an execvp's run of attempts. */
		if (g != HX_GROUP_SEM)
			p->calls.sem_probe[0] = '\0';
		p->calls.exec_open = false;
	}
	if (t->nevents >= HX_MAX_EVENTS) {
		t->events_truncated = true;
		return;
	}
	struct hx_event *arr = hx_grow(t->events, &t->cevents, t->nevents + 1, sizeof(*arr));

	if (!arr)
		return;
	t->events = arr;
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	struct hx_event *e = &t->events[t->nevents++];
	uint64_t now = hx_now_us();

	memset(e, 0, sizeof(*e));
	e->t_us = now > t->start_us ? now - t->start_us : 0;
	e->pid = p ? p->box_pid : 0;
	e->ppid = p ? p->parent_box : 0;
	e->call = call;
	e->group = g;
	e->detail = detail;
	if (p && (g == HX_GROUP_FORK) && p->nforks < HX_MAX_PENDING_FORKS) {
		p->fork_events[p->nforks] = t->nevents - 1;
		p->fork_tids[p->nforks++] = t->cur_tid;
	}
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
		add_event(t, p, "sem_open", HX_GROUP_SEM, "%s, %s", q, f);
		snprintf(p->calls.sem_probe, sizeof(p->calls.sem_probe), "%s", name);
		return;
	}
	char full[300];

	snprintf(full, sizeof(full), "/%s", name);
	hx_quote(full, q, sizeof(q));
	add_event(t, p, "shm_open", HX_GROUP_SHM, "%s, %s", q, f);
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
	add_event(t, p, sem ? "sem_unlink" : "shm_unlink", sem ? HX_GROUP_SEM : HX_GROUP_SHM, "%s", q);
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
	add_event(t, p, "sem_open", HX_GROUP_SEM, "%s, O_CREAT|O_EXCL", q);
}

/* A read or write of hot tracing: an event when fd is a pipe or socket
 * between box processes. */
static void trace_io(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, const char *call,
		     int fd, unsigned long len)
{
	unsigned long ino = 0;
	bool cached;
	enum hx_fd_kind kind = hx_fdcache_lookup(t, p, tid, fd, &ino, &cached);

	if (kind != HX_FD_PIPE && kind != HX_FD_SOCKET)
		return;
	t->event_args_only = cached;
	add_event(t, p, call, HX_GROUP_IO, "fd %d (%s:[%lu]), %lu bytes", fd,
		  kind == HX_FD_PIPE ? "pipe" : "socket", ino, len);
}

/* ---- the calls ------------------------------------------------------------ */

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
			add_event(t, p, "pthread_create", HX_GROUP_THREAD, "clone(%s)", f);
		else if (a[0] & CLONE_VFORK)
			add_event(t, p, "vfork", HX_GROUP_FORK, "clone(%s)", f);
		else if ((a[0] & ~0xfful) == (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			add_event(t, p, "fork", HX_GROUP_FORK, "clone(%s)", f);
		else
			add_event(t, p, "clone", HX_GROUP_FORK, "clone(%s)", f);
		break;
	case SYS_fork:
		add_event(t, p, "fork", HX_GROUP_FORK, "%s", "");
		break;
	case SYS_vfork:
		add_event(t, p, "vfork", HX_GROUP_FORK, "%s", "");
		break;
	case SYS_execve:
	case SYS_execveat: {
		uint64_t addr = nr == SYS_execve ? a[0] : a[1];

		if (!hx_read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		/* The first process's own exec is the harness's doing. */
		if (!t->first_exec_seen && p->box_pid == 1) {
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

		add_event(t, p, "execve", HX_GROUP_EXEC, "%s", q);
		p->calls.exec_open = t->nevents > before;
		p->calls.exec_argv = a[nr == SYS_execve ? 1 : 2];
		p->calls.exec_envp = a[nr == SYS_execve ? 2 : 3];
		p->calls.exec_event = t->nevents - 1;
		break;
	}
	case SYS_wait4: {
		int pid = (int)a[0];

		if (pid == -1)
			add_event(t, p, "wait4", HX_GROUP_WAIT, "any child");
		else if (pid > 0)
			add_event(t, p, "wait4", HX_GROUP_WAIT, "pid %d", hx_pidmap_box_pid_of_ns(t, pid));
		else
			add_event(t, p, "wait4", HX_GROUP_WAIT, "process group %d", -pid);
		break;
	}
	case SYS_waitid:
		add_event(t, p, "waitid", HX_GROUP_WAIT, "%s",
			  a[0] == P_ALL ? "any child" : a[0] == P_PID ? "one child" : "a group");
		break;
	case SYS_kill: {
		int pid = (int)a[0];

		if (pid > 0)
			add_event(t, p, "kill", HX_GROUP_KILL, "pid %d, %s", hx_pidmap_box_pid_of_ns(t, pid),
				  hx_signal_name((int)a[1]));
		else
			add_event(t, p, "kill", HX_GROUP_KILL, "%d, %s", pid, hx_signal_name((int)a[1]));
		break;
	}
	case SYS_tgkill:
		add_event(t, p, "tgkill", HX_GROUP_KILL, "pid %d, %s", hx_pidmap_box_pid_of_ns(t, (pid_t)a[0]),
			  hx_signal_name((int)a[2]));
		break;
	case SYS_tkill:
		add_event(t, p, "tkill", HX_GROUP_KILL, "tid %d, %s", (int)a[0],
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
		add_event(t, p, "pipe", HX_GROUP_PIPE, "%s", "");
		break;
	case SYS_pipe2:
		if (a[1])
			hx_format_open_flags(a[1], f, sizeof(f));
		add_event(t, p, "pipe2", HX_GROUP_PIPE, "%s", a[1] ? f : "0");
		break;
	case SYS_mknod:
	case SYS_mknodat: {
		uint64_t addr = nr == SYS_mknod ? a[0] : a[1];

		if (!hx_read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		hx_quote(path, q, sizeof(q));
		add_event(t, p, "mkfifo", HX_GROUP_PIPE, "%s, 0%lo", q,
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
		add_event(t, p, "mq_open", HX_GROUP_MQ, "%s, %s", q, f);
		break;
	}
	case SYS_mq_unlink: {
		char name[300];

		if (!hx_read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		snprintf(name, sizeof(name), "/%s", path);
		hx_quote(name, q, sizeof(q));
		add_event(t, p, "mq_unlink", HX_GROUP_MQ, "%s", q);
		break;
	}
	case SYS_socketpair:
		add_event(t, p, "socketpair", HX_GROUP_SOCKET, "AF_UNIX, %s",
			  hx_socket_type_name((unsigned long)a[1]));
		break;
	case SYS_socket:
		add_event(t, p, "socket", HX_GROUP_SOCKET, "AF_UNIX");
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
		unsigned long len = (unsigned long)a[1], flags = (unsigned long)a[3];
		int fd = (int)a[4];

		/* private mappings are notified for the memory limit only */
		if (!(flags & MAP_SHARED))
			break;

		if (flags & MAP_ANONYMOUS) {
			add_event(t, p, "mmap", HX_GROUP_SHM, "MAP_SHARED|MAP_ANONYMOUS, %lu bytes", len);
			break;
		}
		if (hx_proc_fd_link(tid, fd, path, sizeof(path)) < 0)
			snprintf(path, sizeof(path), "?");
		/* A named semaphore's mapping is part of its sem_open. */
		if (strncmp(path, SHM_DIR "sem.", SHM_DIR_LEN + 4) == 0)
			break;
		hx_quote(path, q, sizeof(q));
		add_event(t, p, "mmap", HX_GROUP_SHM, "MAP_SHARED, fd %d (%s), %lu bytes", fd, q, len);
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
		add_event(t, p, "shmget", HX_GROUP_SHM, "%s, %lu bytes, %s",
			  hx_format_ipc_key(a[0], k, sizeof(k)), (unsigned long)a[1], f);
		break;
	case SYS_shmat:
		add_event(t, p, "shmat", HX_GROUP_SHM, "id %d", (int)a[0]);
		break;
	case SYS_shmdt:
		add_event(t, p, "shmdt", HX_GROUP_SHM, "%#lx", (unsigned long)a[0]);
		break;
	case SYS_shmctl:
		add_event(t, p, "shmctl", HX_GROUP_SHM, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
		break;
	case SYS_semget:
		hx_format_ipc_flags(a[2], f, sizeof(f));
		add_event(t, p, "semget", HX_GROUP_SEM, "%s, %d semaphores, %s",
			  hx_format_ipc_key(a[0], k, sizeof(k)), (int)a[1], f);
		break;
	case SYS_semctl:
		add_event(t, p, "semctl", HX_GROUP_SEM, "id %d, semaphore %d, %s", (int)a[0], (int)a[1],
			  hx_ipc_cmd_name(a[2]));
		break;
	case SYS_msgget:
		hx_format_ipc_flags(a[1], f, sizeof(f));
		add_event(t, p, "msgget", HX_GROUP_MQ, "%s, %s", hx_format_ipc_key(a[0], k, sizeof(k)), f);
		break;
	case SYS_msgctl:
		add_event(t, p, "msgctl", HX_GROUP_MQ, "id %d, %s", (int)a[0], hx_ipc_cmd_name(a[1]));
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
		add_event(t, p, "futex", HX_GROUP_FUTEX, "%#lx, %s", (unsigned long)a[0],
			  hx_futex_op_name((unsigned long)a[1]));
		break;
	case SYS_semop:
	case SYS_semtimedop:
		add_event(t, p, "semop", HX_GROUP_SEM, "id %d, %d operations", (int)a[0], (int)a[2]);
		break;
	case SYS_mq_timedsend:
		add_event(t, p, "mq_send", HX_GROUP_MQ, "mqd %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_mq_timedreceive:
		add_event(t, p, "mq_receive", HX_GROUP_MQ, "mqd %d", (int)a[0]);
		break;
	case SYS_msgsnd:
		add_event(t, p, "msgsnd", HX_GROUP_MQ, "id %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_msgrcv:
		add_event(t, p, "msgrcv", HX_GROUP_MQ, "id %d", (int)a[0]);
		break;
	default:
		return false;
	}
	return true;
}

void hx_call_trace(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	hx_fdcache_forget(t, p, nr, a);
	if (!trace_process(t, p, tid, nr, a) && !trace_named(t, p, tid, nr, a) &&
	    !trace_sysv(t, p, nr, a))
		trace_hot(t, p, tid, nr, a);
}

/*
 * A call interrupted by a signal may be restarted by the kernel (fork
 * fails with ERESTARTNOINTR when SIGCHLD is pending; wait4 restarts after
 * a SA_RESTART handler), and the restart is notified again. Such a call is
 * the same thread's next traced call, with the same arguments, and the
 * process's children have not changed since: a fork that worked would
 * have added one, a wait that reaped would have removed one.
 */
bool hx_call_restarted(struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	bool foldable = hx_call_is_fork(nr) || nr == SYS_wait4 || nr == SYS_waitid;
	int nkids;
	bool same;

	if (!foldable) {
		p->calls.last_valid = false;
		return false;
	}
	nkids = hx_proc_count_children(p->host_pid);
	same = p->calls.last_valid && p->calls.last_tid == tid && p->calls.last_nr == nr &&
	       memcmp(p->calls.last_args, a, sizeof(p->calls.last_args)) == 0 && p->calls.last_children == nkids;
	p->calls.last_valid = true;
	p->calls.last_tid = tid;
	p->calls.last_nr = nr;
	memcpy(p->calls.last_args, a, sizeof(p->calls.last_args));
	p->calls.last_children = nkids;
	return same;
}
